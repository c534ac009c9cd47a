// git's pre-receive hook for pushes to the forge (run by receive-pack with the pushed
// objects in quarantine). Refuses the whole push when it adds a credential, when it updates
// a protected trunk directly, or when a fork's new refs would reach objects of its parent
// that the push did not bring (borrowed-objects.ts). Messages go to stderr, which git shows as "remote:";
// a refusal ends with one `Micelio-Problem: {…}` line, the problem+json the API would answer,
// so clients (mic) can carry the reason on as data.
import { formatFinding } from "@micelio/core/secrets/index";
import { formatConfigErrors } from "../../checks/checks-config.ts";
import { checksConfigProblem } from "../../checks/checks-errors.ts";
import { AppError } from "../../errors/app-error.ts";
import { toProblem } from "../../errors/problem.ts";
import { scanNewCommits, secretsError } from "../secret-gate.ts";
import { unsentObjects } from "./borrowed-objects.ts";
import { checksConfigErrors } from "./checks-gate.ts";

const ZERO = /^0+$/;
const input = await new Promise<string>((resolve) => {
  let data = "";
  process.stdin.on("data", (d) => (data += d));
  process.stdin.on("end", () => resolve(data));
});
const updates = input
  .trim()
  .split("\n")
  .filter(Boolean)
  .map((l) => l.split(" ") as [string, string, string]);

if (process.env.MICELIO_PROTECT_TRUNK === "1" && updates.some(([, , ref]) => ref === "refs/heads/main")) {
  process.stderr.write(
    "Micelio: main is protected; changes land through sessions (mic land), not direct pushes.\n",
  );
  problemLine(
    new AppError("forbidden", "main is protected; changes land through sessions, not direct pushes", {
      problem: "trunk-protected",
    }),
  );
  process.exit(1);
}

const tips = updates.filter(([, next]) => !ZERO.test(next)).map(([, next]) => next);
const quarantine = {
  GIT_QUARANTINE_PATH: process.env.GIT_QUARANTINE_PATH ?? "",
  GIT_OBJECT_DIRECTORY: process.env.GIT_OBJECT_DIRECTORY ?? "",
  GIT_ALTERNATE_OBJECT_DIRECTORIES: process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES ?? "",
};

const unsent = await unsentObjects(process.cwd(), tips, quarantine);
if (unsent.length) {
  process.stderr.write(
    "Micelio: push refused: this fork's new refs would reach objects it was not sent, for example:\n",
  );
  for (const id of unsent.slice(0, 3)) process.stderr.write(`  ${id}\n`);
  process.stderr.write(
    "A fork borrows storage from the project it was forked from, not access to it: push every object your commits need (a normal `git push` does).\n",
  );
  process.exit(1);
}

const findings = await scanNewCommits(process.cwd(), tips, quarantine);
if (findings.length) {
  process.stderr.write(
    `Micelio: push refused, it adds what looks like ${findings.length === 1 ? "a secret" : "secrets"}:\n`,
  );
  for (const f of findings.slice(0, 20)) process.stderr.write(`  ${formatFinding(f)}\n`);
  process.stderr.write(
    "Remove the secret from every commit (and rotate it), or mark a false positive with micelio:allow-secret.\n",
  );
  problemLine(secretsError(findings));
  process.exit(1);
}

const trunk = updates.find(([, next, ref]) => ref === "refs/heads/main" && !ZERO.test(next));
const configErrors = trunk ? await checksConfigErrors(process.cwd(), trunk[0], trunk[1], quarantine) : null;
if (configErrors) {
  process.stderr.write("Micelio: push refused, .micelio/checks.yml on main would not be valid:\n");
  for (const line of formatConfigErrors(configErrors)) process.stderr.write(`  ${line}\n`);
  process.stderr.write("The schema is at /schemas/checks.json on this forge.\n");
  problemLine(checksConfigProblem(configErrors));
  process.exit(1);
}

/** The refusal as one machine-readable line (git prefixes it with "remote: "). */
function problemLine(err: AppError) {
  process.stderr.write(`Micelio-Problem: ${JSON.stringify(toProblem(err))}\n`);
}
