// The secret gate: scans what a push adds for credentials. A hit refuses the whole push and
// names file, line and kind — never the secret itself. The push's patch (`git log -p`) is
// streamed through the scanner line by line (@micelio/core's DiffScanStream), so a push of
// any size is scanned whole in bounded memory: each commit's files are scanned on their own.
import { DiffScanStream, type Finding, formatFinding } from "@micelio/core/secrets/index";
import { AppError } from "../errors/app-error.ts";
import { GitError, gitStream } from "./git.ts";

/** A scan still running after this long fails (the push is refused, not let through). */
const TIMEOUT_MS = 60 * 60_000;

/** Findings in every commit reachable from `tips` but not from existing refs (a push). */
export async function scanNewCommits(
  dir: string,
  tips: string[],
  env?: Record<string, string>,
): Promise<Finding[]> {
  if (tips.length === 0) return [];
  const scan = new DiffScanStream();
  const args = [
    "log",
    "-p",
    "-U0",
    "--no-color",
    "--no-renames",
    "--no-ext-diff",
    "--format=commit %H",
    ...tips,
    "--not",
    "--all",
    "--",
  ];
  const run = await gitStream(args, { cwd: dir, env, timeoutMs: TIMEOUT_MS }, (chunk) => {
    scan.write(chunk);
    return true;
  });
  if (run.stopped || run.code !== 0)
    throw new GitError(
      `git log failed (${run.timedOut ? "timed out" : run.code}): ${run.stderr.trim().split("\n")[0] ?? ""}`,
      run.code,
      run.stderr,
    );
  return scan.end();
}

export function secretsError(findings: Finding[]) {
  const lines = findings.slice(0, 20).map(formatFinding);
  return new AppError("invalid", `Possible secrets found; nothing was landed:\n${lines.join("\n")}`, {
    problem: "secrets-found",
    secrets: findings.slice(0, 100).map((f) => ({
      path: f.path,
      line: f.line,
      rule: f.rule,
      description: f.description,
      preview: f.preview,
    })),
  });
}
