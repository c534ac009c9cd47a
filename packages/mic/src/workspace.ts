// A mic checkout: a git working copy plus mic's state in <git dir>/mic/state.json — the
// forge, the project, and the open session (id, goal, base position and commit). The state
// lives inside the git directory so it is never committed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { ModifyDelete } from "./conflicts.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { git, gitOut } from "./git.ts";

export interface SessionState {
  id: string;
  goal: string;
  base_position: number;
  base_commit: string | null;
  /** Set while a sync's conflicts wait to be resolved in the working tree. */
  pending?: PendingSync;
}

/** A sync that left conflicts: trunk's position and commit it replays onto, the conflicted paths. */
export interface PendingSync {
  position: number;
  commit: string | null;
  conflicts: string[];
  /** The conflicts where one side deleted the file, with the user's decision once made. */
  modify_delete?: ModifyDelete[];
}

export interface State {
  server: string;
  owner: string;
  project: string;
  session?: SessionState;
}

export interface Workspace {
  root: string;
  gitDir: string;
  state: State;
}

const statePath = (gitDir: string) => join(gitDir, "mic", "state.json");

/** The mic checkout containing `cwd`, or null when there is none. */
export async function findWorkspace(cwd = process.cwd()): Promise<Workspace | null> {
  const top = await git(["rev-parse", "--show-toplevel", "--git-dir"], { cwd, okCodes: [128] });
  if (top.code !== 0) return null;
  const [root, rawGitDir] = top.stdout.trim().split("\n");
  const gitDir = isAbsolute(rawGitDir!) ? rawGitDir! : resolve(cwd, rawGitDir!);
  const path = statePath(gitDir);
  if (!existsSync(path)) return null;
  try {
    return { root: root!, gitDir, state: JSON.parse(readFileSync(path, "utf8")) as State };
  } catch {
    throw new CliError(`unreadable mic state in ${path}`, EXIT.usage);
  }
}

export async function requireWorkspace(): Promise<Workspace> {
  const ws = await findWorkspace();
  if (!ws) throw new CliError("not in a mic checkout (run mic clone OWNER/PROJECT first)", EXIT.usage);
  return ws;
}

export function requireSession(ws: Workspace): SessionState {
  if (!ws.state.session)
    throw new CliError('no open session here (run mic session start "<goal>")', EXIT.usage);
  return ws.state.session;
}

/** Writes the state atomically (a crash never leaves half a file). */
export function saveState(gitDir: string, state: State) {
  const path = statePath(gitDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export const trunkRef = "refs/heads/main";

/** The checkout's HEAD commit, or null on an unborn branch. */
export async function headCommit(root: string): Promise<string | null> {
  const r = await git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { cwd: root, okCodes: [1] });
  return r.stdout.trim() || null;
}

export const treeOf = (root: string, commit: string) =>
  gitOut(["rev-parse", `${commit}^{tree}`], { cwd: root });
