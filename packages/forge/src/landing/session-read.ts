// What the lander needs to know of a session's commit, read through the git layer without
// starting git: the commit, the paths it changes against the session's base (as
// `git diff-tree -r --no-renames`), lines added and removed (as `--numstat` counts them),
// and what the secret gate finds in the added lines (from the blobs in memory, not from a
// `git diff` process). A commit not directly on its base falls back to `git merge-base`.

import { isBinary, lineDiff, splitLines } from "@micelio/core/line-diff";
import { type Finding, scanDiff } from "@micelio/core/secrets/index";
import { conflict } from "../errors/app-error.ts";
import { isAncestor } from "../repos/git-layer/ancestry.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { diffTrees, type PathChange } from "../repos/git-layer/tree-diff.ts";
import { sessionRef } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";

export interface SessionChange {
  commit: string;
  changes: PathChange[];
  paths: string[];
  linesAdded: number;
  linesRemoved: number;
  secrets: Finding[];
}

/** The session's commit and its change, or null when nothing was uploaded yet. */
export async function readSessionChange(
  repo: GitRepo,
  session: Pick<SessionRow, "id" | "base_commit">,
): Promise<SessionChange | null> {
  const commit = await repo.resolveCommit(sessionRef(session.id));
  if (!commit) return null;
  const head = await repo.readCommit(commit);
  let baseTree: string | null = null;
  if (session.base_commit) {
    const onBase =
      head.parents.includes(session.base_commit) || (await isAncestor(repo, session.base_commit, commit));
    if (!onBase) throw conflict("The session's changes are not based on its base commit; run mic sync");
    baseTree = (await repo.readCommit(session.base_commit)).tree;
  }
  return { commit, ...(await readTreeChange(repo, baseTree, head.tree, { scan: true })) };
}

/**
 * The paths that differ between two trees (null: empty), lines added and removed, and, with
 * `scan`, what the secret scanner finds in the added lines. Reads only through the layer.
 */
export async function readTreeChange(
  repo: GitRepo,
  fromTree: string | null,
  toTree: string,
  opts: { scan: boolean },
): Promise<Omit<SessionChange, "commit">> {
  const changes = await diffTrees(repo, fromTree, toTree);
  let linesAdded = 0;
  let linesRemoved = 0;
  const patch: string[] = [];
  for (const ch of changes) {
    const text = async (side: PathChange["old"]) =>
      side && side.mode !== "160000" ? (await repo.readType(side.oid, "blob")).data : Buffer.alloc(0);
    if ((ch.old?.mode ?? ch.next?.mode) === "160000" && (ch.next?.mode ?? "160000") === "160000") continue;
    const [a, b] = await Promise.all([text(ch.old), text(ch.next)]);
    if (isBinary(a) || isBinary(b)) continue;
    const d = lineDiff(splitLines(a.toString("utf8")), splitLines(b.toString("utf8")));
    linesAdded += d.added;
    linesRemoved += d.removed;
    if (!opts.scan || !ch.next || d.addedLines.length === 0) continue;
    const lines = splitLines(b.toString("utf8"));
    patch.push(`diff --git a/${ch.path} b/${ch.path}`, `+++ ${quotePath(`b/${ch.path}`)}`);
    for (const n of d.addedLines) patch.push(`@@ -0,0 +${n},1 @@`, `+${lines[n - 1].replace(/\n$/, "")}`);
  }
  return {
    changes,
    paths: changes.map((c) => c.path),
    linesAdded,
    linesRemoved,
    secrets: patch.length ? scanDiff(`${patch.join("\n")}\n`) : [],
  };
}

/** Git's C-style quoting of a path with unusual bytes, as in a diff header. */
export function quotePath(p: string): string {
  if (/^[\x20-\x7e]*$/.test(p) && !/["\\]/.test(p)) return p;
  let out = '"';
  for (const byte of Buffer.from(p, "utf8")) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x09) out += "\\t";
    else if (byte === 0x0a) out += "\\n";
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}
