// The refusal for an invalid checks.yml, the same wherever it is met (a push to trunk, a
// landing session that changes the file): problem type …/problems/invalid-checks-config with
// every error's path, line and column.
import { AppError } from "../errors/app-error.ts";
import type { SessionChange } from "../landing/session-read.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { CHECKS_PATH, type ConfigError, parseChecksConfig } from "./checks-config.ts";

export const checksConfigProblem = (errors: ConfigError[]) =>
  new AppError("invalid", `${CHECKS_PATH} is not valid: ${errors[0]?.message ?? "unreadable"}`, {
    problem: "invalid-checks-config",
    file: CHECKS_PATH,
    errors: errors.map((e) => ({ field: e.path || CHECKS_PATH, message: e.message })),
    config_errors: errors,
  });

/** A session that changes .micelio/checks.yml into an invalid config does not land. */
export async function refuseInvalidChecks(repo: GitRepo, change: Pick<SessionChange, "changes">) {
  const config = change.changes.find((c) => c.path === CHECKS_PATH)?.next;
  if (!config || config.mode.startsWith("04") || config.mode === "160000") return;
  const parsed = parseChecksConfig((await repo.readType(config.oid, "blob")).data);
  if (!parsed.ok) throw checksConfigProblem(parsed.errors);
}
