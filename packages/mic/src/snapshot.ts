// The session's change as git sees it: the whole working tree (tracked and untracked files,
// minus ignored ones) written as a tree through a temporary index — the user's own index is
// never touched — and the commit of that tree on the session's base.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, gitOut } from "./git.ts";
import { headCommit } from "./workspace.ts";

export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

export interface Change {
  path: string;
  status: "added" | "modified" | "deleted" | "type_changed";
}

/** The tree of the working tree as it is now. */
export async function worktreeTree(root: string): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), "mic-index-"));
  const env = { GIT_INDEX_FILE: join(tmp, "index") };
  try {
    const head = await headCommit(root);
    await git(head ? ["read-tree", head] : ["read-tree", "--empty"], { cwd: root, env });
    await git(["add", "-A", "--", "."], { cwd: root, env });
    return await gitOut(["write-tree"], { cwd: root, env });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Captures the working tree as a commit on `parent`: the session's change against it. */
export async function snapshot(root: string, message: string, parent: string | null) {
  const tree = await worktreeTree(root);
  const commit = await commitTree(root, tree, parent, message);
  const raw = await rawChangesBetween(root, parent, tree);
  const changes = raw.map(({ path, status }) => ({ path, status }));
  return { base: parent, tree, commit, raw, changes };
}

/**
 * A commit of `tree` whose only parent is `parent` (none on an empty trunk), by the user's git
 * identity, or a fallback one on machines where git has none configured (agents' sandboxes).
 */
export async function commitTree(root: string, tree: string, parent: string | null, message: string) {
  const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
  const input = `${message}\n`;
  const mine = await git(args, { cwd: root, input, okCodes: [128] });
  if (mine.code === 0) return mine.stdout.trim();
  // Any other failure fails again here, with git's own message.
  return gitOut(args, { cwd: root, input, env: FALLBACK_IDENTITY });
}

const FALLBACK_IDENTITY = {
  GIT_AUTHOR_NAME: "mic",
  GIT_AUTHOR_EMAIL: "mic@users.micelio.invalid",
  GIT_COMMITTER_NAME: "mic",
  GIT_COMMITTER_EMAIL: "mic@users.micelio.invalid",
};

const STATUS: Record<string, Change["status"]> = {
  A: "added",
  M: "modified",
  D: "deleted",
  T: "type_changed",
};

/** A changed path as `git diff-tree --raw` tells it: the new mode and blob (zeros when deleted). */
export interface RawChange extends Change {
  mode: string;
  oid: string;
}

/** Files that differ between `base` (a commit, or null for none) and `tree`. */
export async function changesBetween(root: string, base: string | null, tree: string): Promise<Change[]> {
  return (await rawChangesBetween(root, base, tree)).map(({ path, status }) => ({ path, status }));
}

export async function rawChangesBetween(
  root: string,
  base: string | null,
  tree: string,
): Promise<RawChange[]> {
  const out = await gitOut(["diff-tree", "-r", "--no-renames", "--raw", "-z", base ?? EMPTY_TREE, tree], {
    cwd: root,
  });
  const parts = out.split("\0").filter(Boolean);
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    // ":100644 100644 <old oid> <new oid> M"
    const [, mode, , oid, status] = parts[i]!.slice(1).split(" ");
    changes.push({ path: parts[i + 1]!, status: STATUS[status![0]!] ?? "modified", mode: mode!, oid: oid! });
  }
  return changes;
}
