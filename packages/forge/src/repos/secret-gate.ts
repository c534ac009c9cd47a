// The secret gate: scans what a push or a landing adds for credentials. A hit refuses the
// whole push or landing and names file, line and kind — never the secret itself.
import { type Finding, formatFinding, scanDiff } from "@micelio/core/secrets/index";
import { AppError } from "../errors/app-error.ts";
import { gitText } from "./git.ts";

const MAX_PATCH = 64 * 1024 * 1024;

/** Findings in the lines added between `from` (null: nothing) and `to`. */
export async function scanRange(
  dir: string,
  from: string | null,
  to: string,
  env?: Record<string, string>,
): Promise<Finding[]> {
  const args = from
    ? ["diff", "--no-color", "--no-renames", "--no-ext-diff", "-U0", from, to, "--"]
    : ["show", "--format=", "--no-color", "--no-renames", "--no-ext-diff", "-U0", "--root", to, "--"];
  const patch = await gitText(args, { cwd: dir, env, maxBuffer: MAX_PATCH });
  return scanDiff(patch);
}

/** Findings in every commit reachable from `tips` but not from existing refs (a push). */
export async function scanNewCommits(
  dir: string,
  tips: string[],
  env?: Record<string, string>,
): Promise<Finding[]> {
  if (tips.length === 0) return [];
  const patch = await gitText(
    [
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
    ],
    { cwd: dir, env, maxBuffer: MAX_PATCH },
  );
  return scanDiff(patch);
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
