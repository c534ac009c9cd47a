// `git grep` over one commit's tree, through the git layer: a search runs git once (it reads
// every blob of the tree; git does that faster than any per-object protocol) and streams its
// NUL-separated output to the caller. Pathspecs are literal (GIT_LITERAL_PATHSPECS); the
// caller passes the pattern as `-e <pattern>` and a full commit id, and stops git early by
// returning false from onData or by the time limit.
import { type GitStreamRun, gitStream } from "../git.ts";

const GREP_ARGS = ["grep", "-z", "-n", "--column", "-I", "--no-color", "--full-name"];
const READ_ENV = { GIT_LITERAL_PATHSPECS: "1" };

/** Runs `git grep -z -n --column -I --full-name <args>` in `dir`; resolves when git exits. */
export function grepStream(
  dir: string,
  args: string[],
  timeoutMs: number,
  onData: (chunk: Buffer) => boolean | undefined,
): Promise<GitStreamRun> {
  return gitStream([...GREP_ARGS, ...args], { cwd: dir, env: READ_ENV, timeoutMs }, onData);
}
