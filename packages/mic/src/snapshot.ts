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

/** A commit of `tree` whose only parent is `parent` (none on an empty trunk). */
export async function commitTree(root: string, tree: string, parent: string | null, message: string) {
  const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
  return gitOut(args, { cwd: root, input: `${message}\n`, env: await identityEnv(root) });
}

/** A fallback identity for machines where git has none configured (agents' sandboxes). */
async function identityEnv(root: string): Promise<Record<string, string>> {
  const ok = await git(["var", "GIT_AUTHOR_IDENT"], { cwd: root, okCodes: [128] });
  const committer = await git(["var", "GIT_COMMITTER_IDENT"], { cwd: root, okCodes: [128] });
  if (ok.code === 0 && committer.code === 0) return {};
  return {
    GIT_AUTHOR_NAME: "mic",
    GIT_AUTHOR_EMAIL: "mic@users.micelio.invalid",
    GIT_COMMITTER_NAME: "mic",
    GIT_COMMITTER_EMAIL: "mic@users.micelio.invalid",
  };
}

const STATUS: Record<string, Change["status"]> = {
  A: "added",
  M: "modified",
  D: "deleted",
  T: "type_changed",
};

/** Files that differ between `base` (a commit, or null for none) and `tree`. */
export async function changesBetween(root: string, base: string | null, tree: string): Promise<Change[]> {
  const out = await gitOut(
    ["diff-tree", "-r", "--no-renames", "--name-status", "-z", base ?? EMPTY_TREE, tree],
    {
      cwd: root,
    },
  );
  const parts = out.split("\0").filter(Boolean);
  const changes: Change[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    changes.push({ path: parts[i + 1]!, status: STATUS[parts[i]![0]!] ?? "modified" });
  }
  return changes;
}
