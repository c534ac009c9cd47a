// A session's changes are one commit on its base, kept at refs/sessions/<id>. They arrive by
// `git push` to that ref, or as a list of file changes over the API (for clients without
// git); each upload applies on top of the previous ones, so the commit always holds every
// path the session touched. An API upload is applied through the git layer
// (repos/git-layer/, session-tree.ts) without starting git.
// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import type { Db } from "../db/db.ts";
import { conflict, invalid } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { writeCommitIn } from "../landing/git-land.ts";
import { readTreeChange } from "../landing/session-read.ts";
import { type GitRepo, ZERO_OID } from "../repos/git-layer/git-repo.ts";
import { layerFor } from "../repos/git-layer/git-repos.ts";
import { rangeStats } from "../repos/git-layer/range-diff.ts";
import { StagedObjects } from "../repos/git-layer/staged-objects.ts";
import { assertSafePath } from "../repos/safe-names.ts";
import { editTree, type TreeEdit } from "./session-tree.ts";
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

/** The answer to an upload (PUT …/changes, PUT …/file): the session's change as it now stands. */
export const appliedSchema = z
  .object({
    commit: z.string(),
    tree: z.string().openapi({ description: "The session's tree after the upload" }),
    paths: z.array(z.string()),
    lines_added: z.number(),
    lines_removed: z.number(),
  })
  .openapi("SessionChangesApplied");

/** The session's commit, or null when nothing was uploaded yet. */
export const sessionCommit = (src: string | GitRepo, id: string): Promise<string | null> =>
  layerFor(src).resolveCommit(sessionRef(id));

const DOT_GIT = /^(\.git[. ]*(:.*)?|git~1)$/i;
const DOT_GITMODULES = /^(\.gitmodules[. ]*(:.*)?|gitmod~\d+)$/i;

/**
 * Paths git's verify_path refuses (core.protectNTFS on, as by default): a `.git` component
 * in any case or NTFS spelling, and for a symlink a `.gitmodules` one. `update-index` used to
 * drop such a path silently; it is now refused like `.git` always was.
 */
const gitRefuses = (path: string, mode: string | undefined) =>
  path.split("/").some((p) => DOT_GIT.test(p) || (mode === "120000" && DOT_GITMODULES.test(p)));

/** PUTs to one session in this process, one after the other. */
const sessionLocks = new Map<string, Promise<unknown>>();
async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = sessionLocks.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => {});
  sessionLocks.set(key, tail);
  try {
    return await run;
  } finally {
    if (sessionLocks.get(key) === tail) sessionLocks.delete(key);
  }
}

/** How often a PUT re-applies its changes when another process moved the session first. */
const CAS_ATTEMPTS = 5;

export interface AppliedChanges {
  commit: string;
  /** The session's tree after the upload (a client compares it with its own). */
  tree: string;
  paths: string[];
  lines_added: number;
  lines_removed: number;
}

/**
 * Applies file changes on top of the session's current tree and moves its ref, through the
 * git layer (no process per call): blobs, trees and the commit are written in process, the
 * ref moves by compare-and-swap from the value the changes were applied to. PUTs to one
 * session in this process run one after the other; a PUT that loses the swap to another
 * process re-applies its changes on the new value, and answers 409 after CAS_ATTEMPTS.
 * `then` runs before the next PUT to the session starts (recording the stats in order).
 */
export async function applyChanges(
  repo: GitRepo,
  session: SessionRow,
  input: unknown,
  then?: (applied: AppliedChanges) => Promise<void>,
): Promise<AppliedChanges> {
  const { changes } = requireValid(changesSchema, input);
  const files = changes.map((ch) =>
    "delete" in ch
      ? ch
      : { path: ch.path, mode: ch.mode ?? "100644", bytes: Buffer.from(ch.content, "base64") },
  );
  return applyFiles(repo, session, files, then);
}

/** A file change with its bytes (a JSON upload's base64 decoded, or a raw upload's body). */
export type FileChange = { path: string; delete: true } | { path: string; mode: string; bytes: Buffer };

/** applyChanges for changes already read: paths checked, blobs written, the ref moved. */
export async function applyFiles(
  repo: GitRepo,
  session: SessionRow,
  changes: FileChange[],
  then?: (applied: AppliedChanges) => Promise<void>,
): Promise<AppliedChanges> {
  const seen = new Set<string>();
  for (const ch of changes) {
    const p = assertSafePath(ch.path);
    if (p === "" || gitRefuses(p, "delete" in ch ? undefined : ch.mode))
      throw invalid(`Invalid path: ${ch.path}`);
    if (seen.has(p)) throw invalid(`The path ${p} appears twice`);
    seen.add(p);
  }
  // The blobs, trees and commit are staged and written together as one pack (with other
  // PUTs' that arrive meanwhile: GitRepo.writeMany) just before the ref moves.
  const staged = new StagedObjects(repo);
  const edits: TreeEdit[] = [];
  for (const ch of changes) {
    const path = assertSafePath(ch.path);
    if ("delete" in ch) edits.push({ path, delete: true });
    else edits.push({ path, mode: ch.mode, oid: await staged.write("blob", ch.bytes) });
  }
  return serialized(`${repo.dir}\0${session.id}`, async () => {
    const baseTree = session.base_commit ? (await repo.readCommit(session.base_commit)).tree : null;
    for (let attempt = 1; ; attempt++) {
      const previous = await repo.resolveCommit(sessionRef(session.id));
      const startTree = previous ? (await repo.readCommit(previous)).tree : baseTree;
      const tree = await editTree(staged, startTree, edits);
      const commit = await writeCommitIn(
        staged,
        tree,
        session.base_commit,
        `${session.goal}\n`,
        commitEnv(session),
      );
      await staged.flush();
      const ref = { ref: sessionRef(session.id), next: commit, expected: previous ?? ZERO_OID };
      if (await repo.updateRefs([ref], "micelio session changes")) {
        const change = await readTreeChange(repo, baseTree, tree, { scan: false });
        const applied = {
          commit,
          tree,
          paths: change.paths,
          lines_added: change.linesAdded,
          lines_removed: change.linesRemoved,
        };
        await then?.(applied);
        return applied;
      }
      if (attempt >= CAS_ATTEMPTS)
        throw conflict("The session's changes moved while these were applied; send them again");
    }
  });
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

/** Paths touched between base and commit, and lines added/removed (as git's --numstat). */
export const changeStats = (src: string | GitRepo, base: string | null, commit: string) =>
  rangeStats(layerFor(src), base, commit);

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
