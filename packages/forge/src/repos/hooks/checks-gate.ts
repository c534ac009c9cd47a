// The checks.yml gate for pushes to trunk: a push that changes `.micelio/checks.yml` on
// trunk to something the forge cannot run (bad YAML, unknown keys, out-of-range scores) is
// refused, naming line, column and problem, so a broken validation config never reaches
// trunk silently. A push that leaves the file as it was is never refused for it.
import {
  CHECKS_PATH,
  type ConfigError,
  MAX_CHECKS_BYTES,
  parseChecksConfig,
  TOO_LARGE,
} from "../../checks/checks-config.ts";
import { gitText } from "../git.ts";

const TIMEOUT = 60_000;
const ZERO = /^0+$/;

/** The blob id of checks.yml in commit `rev`, or null when the file is absent. */
async function configBlob(dir: string, rev: string, env: Record<string, string>): Promise<string | null> {
  if (ZERO.test(rev)) return null;
  const out = await gitText(["ls-tree", "-z", "--end-of-options", rev, "--", CHECKS_PATH], {
    cwd: dir,
    env,
    timeoutMs: TIMEOUT,
  });
  const [meta] = out.split("\t");
  const [, type, id] = (meta ?? "").split(" ");
  return type === "blob" && id ? id : null;
}

/** The config's errors when this update of trunk changes it into an invalid one, else null. */
export async function checksConfigErrors(
  dir: string,
  oldRev: string,
  newRev: string,
  env: Record<string, string>,
): Promise<ConfigError[] | null> {
  const next = await configBlob(dir, newRev, env);
  if (!next || next === (await configBlob(dir, oldRev, env))) return null;
  const size = Number(await gitText(["cat-file", "-s", next], { cwd: dir, env, timeoutMs: TIMEOUT }));
  if (size > MAX_CHECKS_BYTES) return [TOO_LARGE];
  const text = await gitText(["cat-file", "blob", next], { cwd: dir, env, timeoutMs: TIMEOUT });
  const parsed = parseChecksConfig(text);
  return parsed.ok ? null : parsed.errors;
}
