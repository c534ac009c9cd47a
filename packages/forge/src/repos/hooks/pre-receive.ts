// git's pre-receive hook for pushes to the forge (run by receive-pack with the pushed
// objects in quarantine). Refuses the whole push when it adds a credential, or when it
// updates a protected trunk directly. Messages go to stderr, which git shows as "remote:".
import { formatFinding } from "@micelio/core/secrets/index";
import { scanNewCommits } from "../secret-gate.ts";

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
  process.exit(1);
}

const tips = updates.filter(([, next]) => !ZERO.test(next)).map(([, next]) => next);
const findings = await scanNewCommits(process.cwd(), tips, {
  GIT_QUARANTINE_PATH: process.env.GIT_QUARANTINE_PATH ?? "",
  GIT_OBJECT_DIRECTORY: process.env.GIT_OBJECT_DIRECTORY ?? "",
  GIT_ALTERNATE_OBJECT_DIRECTORIES: process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES ?? "",
});
if (findings.length) {
  process.stderr.write(
    `Micelio: push refused, it adds what looks like ${findings.length === 1 ? "a secret" : "secrets"}:\n`,
  );
  for (const f of findings.slice(0, 20)) process.stderr.write(`  ${formatFinding(f)}\n`);
  process.stderr.write(
    "Remove the secret from every commit (and rotate it), or mark a false positive with micelio:allow-secret.\n",
  );
  process.exit(1);
}
