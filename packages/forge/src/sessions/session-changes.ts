// A session's changes are one commit on its base, kept at refs/sessions/<id>. They arrive by
// `git push` to that ref, or as a list of file changes over the API (for clients without
// git); each upload applies on top of the previous ones, so the commit always holds every
// path the session touched.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { conflict, invalid } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { git, gitText } from "../repos/git.ts";
import { assertSafePath } from "../repos/safe-names.ts";
import type { SessionRow } from "./session-types.ts";

export const sessionRef = (id: string) => `refs/sessions/${id}`;

export const changesSchema = z.object({
  changes: z
    .array(
      z.union([
        z.object({
          path: z.string().min(1).max(4096),
          content: z.string().max(150_000_000, "content too large"),
          mode: z.enum(["100644", "100755", "120000"]).optional(),
        }),
        z.object({ path: z.string().min(1).max(4096), delete: z.literal(true) }),
      ]),
    )
    .min(1, "changes must list at least one file")
    .max(10_000),
});

/** The session's commit, or null when nothing was uploaded yet. */
export async function sessionCommit(dir: string, id: string): Promise<string | null> {
  const out = await gitText(["rev-parse", "--verify", "--quiet", `${sessionRef(id)}^{commit}`], {
    cwd: dir,
    okCodes: [1],
  });
  return out.trim() || null;
}

let emptyTree: string | undefined;
export async function emptyTreeId(dir: string): Promise<string> {
  emptyTree ??= (await gitText(["mktree"], { cwd: dir, input: "" })).trim();
  return emptyTree;
}

/** Applies file changes on top of the session's current tree and moves its ref. */
export async function applyChanges(dir: string, session: SessionRow, input: unknown) {
  const { changes } = requireValid(changesSchema, input);
  const seen = new Set<string>();
  for (const ch of changes) {
    const p = assertSafePath(ch.path);
    if (p === "" || p.split("/").includes(".git")) throw invalid(`Invalid path: ${ch.path}`);
    if (seen.has(p)) throw invalid(`The path ${p} appears twice`);
    seen.add(p);
  }
  const previous = await sessionCommit(dir, session.id);
  const start = previous ?? session.base_commit;
  const tmp = mkdtempSync(join(tmpdir(), "micelio-index-"));
  const env = { GIT_INDEX_FILE: join(tmp, "index") };
  try {
    await git(start ? ["read-tree", start] : ["read-tree", "--empty"], { cwd: dir, env });
    const lines: string[] = [];
    for (const ch of changes) {
      const path = assertSafePath(ch.path);
      if ("delete" in ch) {
        lines.push(`0 ${"0".repeat(40)}\t${path}`);
        continue;
      }
      const blob = (
        await gitText(["hash-object", "-w", "--stdin"], {
          cwd: dir,
          input: Buffer.from(ch.content, "base64"),
        })
      ).trim();
      lines.push(`${ch.mode ?? "100644"} ${blob}\t${path}`);
    }
    await git(["update-index", "-z", "--index-info"], { cwd: dir, env, input: `${lines.join("\0")}\0` });
    const tree = (await gitText(["write-tree"], { cwd: dir, env })).trim();
    const args = [
      "commit-tree",
      tree,
      ...(session.base_commit ? ["-p", session.base_commit] : []),
      "-m",
      session.goal,
    ];
    const commit = (await gitText(args, { cwd: dir, env: commitEnv(session) })).trim();
    await git(["update-ref", sessionRef(session.id), commit, previous ?? ""], { cwd: dir });
    return { commit, ...(await changeStats(dir, session.base_commit, commit)) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function commitEnv(session: Pick<SessionRow, "author_handle">, when?: Date) {
  const date = (when ?? new Date()).toISOString();
  return {
    GIT_AUTHOR_NAME: session.author_handle,
    GIT_AUTHOR_EMAIL: `${session.author_handle}@users.micelio.invalid`,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: "Micelio",
    GIT_COMMITTER_EMAIL: "lander@micelio.invalid",
    GIT_COMMITTER_DATE: date,
  };
}

/** Paths touched between base and commit, and lines added/removed. */
export async function changeStats(dir: string, base: string | null, commit: string) {
  const from = base ?? (await emptyTreeId(dir));
  const names = await gitText(
    ["diff-tree", "-r", "--no-renames", "--name-only", "-z", "--no-commit-id", from, commit],
    { cwd: dir },
  );
  const paths = names.split("\0").filter(Boolean);
  const numstat = await gitText(
    ["diff-tree", "-r", "--no-renames", "--numstat", "--no-commit-id", from, commit],
    { cwd: dir },
  );
  let added = 0;
  let removed = 0;
  for (const line of numstat.split("\n")) {
    const [a, r] = line.split("\t");
    if (a && a !== "-") added += Number(a);
    if (r && r !== "-") removed += Number(r);
  }
  return { paths, lines_added: added, lines_removed: removed };
}

/** Checks that a pushed session commit sits on the session's base. */
export async function checkSessionCommit(dir: string, session: SessionRow, commit: string) {
  if (!session.base_commit) return;
  const onBase = await git(["merge-base", "--is-ancestor", session.base_commit, commit], { cwd: dir }).then(
    () => true,
    () => false,
  );
  if (!onBase) throw conflict("The session's changes are not based on its base commit; run mic sync");
}

export async function recordStats(
  db: Db,
  session: SessionRow,
  stats: { paths: string[]; lines_added: number; lines_removed: number },
) {
  await db
    .updateTable("sessions")
    .set({
      touched_paths: stats.paths.length,
      lines_added: stats.lines_added,
      lines_removed: stats.lines_removed,
      updated_at: new Date(),
    })
    .where("id", "=", session.id)
    .execute();
}
