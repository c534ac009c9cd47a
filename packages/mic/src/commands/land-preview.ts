// `mic land --dry-run`: what a land would do, without landing — the files that would land
// (new untracked files flagged: everything in the working tree lands), the landings since the
// session's base that touched the same paths, and the project's protection and review state.
import type { Command } from "commander";
import { fetchTrunk } from "../checkout.ts";
import { request } from "../client.ts";
import { explain, trunkLandingOf, unresolvedPaths } from "../conflicts.ts";
import { type Connection, projectPath } from "../context.ts";
import { gitOut } from "../git.ts";
import { print } from "../output.ts";
import { changesBetween, EMPTY_TREE, worktreeTree } from "../snapshot.ts";
import type { SessionState, Workspace } from "../workspace.ts";

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

export async function landPreview(program: Command, ws: Workspace, conn: Connection, s: SessionState) {
  const base = s.pending?.commit ?? s.base_commit;
  const basePosition = s.pending?.position ?? s.base_position;
  const changes = await changesBetween(ws.root, base, await worktreeTree(ws.root));
  const tracked = new Set((await gitOut(["ls-files", "-z"], { cwd: ws.root })).split("\0"));
  const files = changes.map((c) => ({ ...c, untracked: c.status === "added" && !tracked.has(c.path) }));
  const path = projectPath(ws.state);
  const [project, session] = await Promise.all([
    request<{ head_position: number; protection?: Record<string, unknown> }>(conn, "GET", path),
    request<{ status: string; approved_at?: string | null; approved_by?: string | null }>(
      conn,
      "GET",
      `${path}/sessions/${s.id}`,
    ),
  ]);
  // What trunk changed since the base, from git; each overlapping path's latest landing.
  const trunk = await fetchTrunk(ws, conn);
  const changedOnTrunk =
    trunk && trunk !== base
      ? (
          await gitOut(["diff", "--name-only", "--no-renames", "-z", base ?? EMPTY_TREE, trunk], {
            cwd: ws.root,
          })
        )
          .split("\0")
          .filter(Boolean)
      : [];
  const overlapping = changedOnTrunk.filter((p) => files.some((f) => overlaps(f.path, p)));
  const conflicts = await Promise.all(
    overlapping.map(async (p) => ({ path: p, ...(await trunkLandingOf(ws, conn, base, trunk!, p)) })),
  );
  const requireReview = project.protection?.require_review === true;
  const doc = {
    dry_run: true,
    session: s.id,
    goal: s.goal,
    session_status: session.status,
    base_position: basePosition,
    head_position: project.head_position,
    files,
    conflicts,
    unresolved: s.pending ? unresolvedPaths(ws.root, s.pending) : [],
    protection: project.protection ?? null,
    review: {
      required: requireReview,
      approved: Boolean(session.approved_at),
      approved_by: session.approved_by ?? null,
    },
  };
  const lines = [
    `Would land session ${s.id} (${session.status}): ${s.goal}`,
    files.length ? "Files:" : "No changes: nothing would land",
    ...files.map((f) => `  ${f.status.padEnd(9)} ${f.path}${f.untracked ? "  (new, untracked)" : ""}`),
    conflicts.length
      ? `Conflicts with landings since position ${basePosition} (mic sync first):`
      : `No conflicts with trunk (base ${basePosition}, head ${project.head_position})`,
    ...conflicts.map((c) => `  ${c.path}  (position ${c.position}${c.goal ? `: ${c.goal}` : ""})`),
    ...(doc.unresolved.length
      ? [
          "Unresolved sync conflicts (land refuses until they are resolved):",
          ...explain(s.pending!, doc.unresolved),
        ]
      : []),
    requireReview
      ? `Review required: ${doc.review.approved ? `approved by ${doc.review.approved_by}` : "not approved yet"}`
      : "No review required",
  ];
  print(program, doc, lines.join("\n"));
}
