// The conflicts a sync leaves in the working tree, and what is still unresolved. Two kinds:
// `content` (both sides changed the same lines: conflict markers, resolved when they are gone)
// and `modify_delete` (one side deleted a file the other changed: git leaves the changed
// version in the tree without markers, so the user decides with `mic resolve --keep` or
// `--delete`, or by deleting the file; until then land refuses, so a deleted file is never
// silently brought back and trunk's change never silently dropped).
import { lstatSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "./client.ts";
import { type Connection, projectPath } from "./context.ts";
import { gitOut } from "./git.ts";
import type { PendingSync, Workspace } from "./workspace.ts";

/** A modify/delete conflict: who deleted the file, the landing on trunk that touched it, the decision. */
export interface ModifyDelete {
  path: string;
  deleted_by: "trunk" | "session";
  /** The latest landing since the session's base that deleted (or changed) the file on trunk. */
  position: number | null;
  session_id: string | null;
  goal: string | null;
  author: string | null;
  decision?: "keep" | "delete";
}

export interface TrunkLanding {
  position: number | null;
  session_id: string | null;
  goal: string | null;
  author: string | null;
}

/** The latest landing in base..trunk that touched `path` (nulls when the forge knows none). */
export async function trunkLandingOf(
  ws: Workspace,
  conn: Connection,
  base: string | null,
  trunk: string,
  path: string,
): Promise<TrunkLanding> {
  const range = base ? `${base}..${trunk}` : trunk;
  const commit = await gitOut(["log", "-1", "--format=%H", range, "--", path], { cwd: ws.root });
  const rows = commit
    ? await request<
        { position: number; session?: string | null; goal?: string | null; author?: string | null }[]
      >(conn, "GET", `${projectPath(ws.state)}/landings?commit=${commit}&limit=1`)
    : [];
  const l = rows[0];
  return {
    position: l?.position ?? null,
    session_id: l?.session ?? null,
    goal: l?.goal ?? null,
    author: l?.author ?? null,
  };
}

/** The paths of `paths` present in `commit`'s tree. */
async function presentIn(root: string, commit: string, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const out = await gitOut(["ls-tree", "-r", "-z", "--name-only", commit, "--", ...paths], { cwd: root });
  return new Set(out.split("\0").filter(Boolean));
}

/** Which of a merge's conflicted paths one side deleted (present on the other side only). */
export async function modifyDeletes(
  ws: Workspace,
  conn: Connection,
  base: string | null,
  trunk: string,
  session: string,
  conflicts: string[],
): Promise<ModifyDelete[]> {
  const [onTrunk, inSession] = await Promise.all([
    presentIn(ws.root, trunk, conflicts),
    presentIn(ws.root, session, conflicts),
  ]);
  const out: ModifyDelete[] = [];
  for (const path of conflicts) {
    if (onTrunk.has(path) === inSession.has(path)) continue;
    const deleted_by = onTrunk.has(path) ? "session" : "trunk";
    out.push({ path, deleted_by, ...(await trunkLandingOf(ws, conn, base, trunk, path)) });
  }
  return out;
}

export function hasMarkers(file: string) {
  try {
    return /^(<{7} |>{7} )/m.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

export const exists = (file: string) => {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
};

/** A conflict as --json shows it: `kind`, and for modify/delete who deleted it and the landing. */
export function describe(pending: PendingSync, path: string) {
  const md = pending.modify_delete?.find((d) => d.path === path);
  if (!md) return { path, kind: "content" as const };
  const { decision: _, ...rest } = md;
  return { ...rest, kind: "modify_delete" as const };
}

/** The pending sync's conflicts the working tree has not resolved yet. */
export function unresolvedPaths(root: string, pending: PendingSync): string[] {
  return pending.conflicts.filter((path) => {
    const file = join(root, path);
    const md = pending.modify_delete?.find((d) => d.path === path);
    // Deleting the file is a decision too; keeping it must be said (git left it there).
    if (md) return !md.decision && exists(file);
    return hasMarkers(file);
  });
}

const landing = (d: ModifyDelete) =>
  d.position === null
    ? "on trunk"
    : `on trunk at position ${d.position}${d.session_id ? ` (session ${d.session_id}: ${d.goal})` : ""}`;

/** One line per conflict: what happened and what to do. */
export function explain(pending: PendingSync, paths: string[]): string[] {
  return paths.map((path) => {
    const d = pending.modify_delete?.find((m) => m.path === path);
    if (!d) return `  ${path}: both changed the same lines; fix the marked lines`;
    const what =
      d.deleted_by === "trunk"
        ? `deleted ${landing(d)} but changed by your session; your version is in the working tree`
        : `deleted by your session but changed ${landing(d)}; trunk's version is in the working tree`;
    return `  ${path}: ${what}: keep it with mic resolve --keep ${path}, or delete it with mic resolve --delete ${path}`;
  });
}

/** Conflict markers name trunk's position and the session's goal instead of raw commit ids. */
export function labelMarkers(root: string, paths: string[], labels: Record<string, string>) {
  for (const path of paths) {
    const file = join(root, path);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // deleted on one side: nothing to label
    }
    const labelled = text.replace(/^(<{7}|>{7}) ([0-9a-f]{40})(?=:|$)/gm, (line, marker, id) =>
      labels[id] ? `${marker} ${labels[id]}` : line,
    );
    if (labelled !== text) writeFileSync(file, labelled);
  }
}
