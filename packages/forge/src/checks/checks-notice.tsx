// The project page's word on its quality gate: the steps and minimum score trunk's
// .micelio/checks.yml sets, or, when the file on trunk is not valid (it predates the push
// gate, or was written while the gate was off), each error with its line and column, since
// such a file gates nothing until it is fixed. Nothing when there is no file.
import type { Forge } from "../http/context.ts";
import { CHECKS_PATH, formatConfigErrors } from "./checks-config.ts";
import { trunkChecks } from "./validation-service.ts";

export async function ChecksNotice({
  forge,
  projectId,
  base,
}: {
  forge: Forge;
  projectId: string;
  base: string;
}) {
  if (!forge.repos.exists(projectId)) return null;
  const trunk = await trunkChecks(forge, projectId);
  if (!trunk.parsed) return null;
  const file = <a href={`${base}/blob/HEAD/${CHECKS_PATH}`}>{CHECKS_PATH}</a>;
  if (!trunk.parsed.ok)
    return (
      <section class="card conflict checks-invalid" aria-labelledby="checks-title">
        <h2 id="checks-title">The quality gate is off: {CHECKS_PATH} is not valid</h2>
        <p>Sessions land without validation until {file} on trunk is fixed:</p>
        <ul>
          {formatConfigErrors(trunk.parsed.errors).map((line) => (
            <li>
              <code>{line}</code>
            </li>
          ))}
        </ul>
        <p class="hint">
          The schema is at <a href="/schemas/checks.json">/schemas/checks.json</a>.
        </p>
      </section>
    );
  const { steps, min_score } = trunk.parsed.config;
  return (
    <p class="hint checks-summary">
      Quality gate ({file}): {steps.length} step{steps.length === 1 ? "" : "s"} (
      {steps.map((s) => s.name).join(", ")}), minimum score {min_score}
      {forge.config.sandbox.provider === "none" ? " — not enforced: this forge runs no sandbox" : ""}.
    </p>
  );
}
