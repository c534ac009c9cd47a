// Runs the git CLI from tests, asynchronously: the forge under test runs in the same
// process, so a synchronous git call talking to it would wait on itself.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gitEnv } from "../repos/git.ts";

const exec = promisify(execFile);
const IDENTITY = {
  GIT_AUTHOR_NAME: "T",
  GIT_AUTHOR_EMAIL: "t@x",
  GIT_COMMITTER_NAME: "T",
  GIT_COMMITTER_EMAIL: "t@x",
};

/** Runs git in `cwd` and returns its trimmed stdout; rejects on a non-zero exit. */
export const runGit = async (cwd: string, ...args: string[]) =>
  (
    await exec("git", args, { cwd, env: gitEnv(IDENTITY), encoding: "utf8", maxBuffer: 64 << 20 })
  ).stdout.trim();

/** Like runGit, but reports failure (with git's stderr) instead of rejecting. */
export const tryGit = (cwd: string, ...args: string[]) =>
  runGit(cwd, ...args).then(
    (out) => ({ ok: true, out }),
    (err) => ({ ok: false, out: String((err as { stderr?: string }).stderr ?? err) }),
  );
