// Keeps the README part of each project's search document current: pushes, landings and
// imports enqueue a search.readme job (coalesced per project); the job reads the README at
// the tip of the default branch and rebuilds the document (migration 0009).
import { sql } from "kysely";
import { README } from "../browse/browse-service.ts";
import { isBinary, listRefs, listTree, readBlob } from "../browse/git-read.ts";
import type { Db } from "../db/db.ts";
import { enqueue, type JobHandler } from "../jobs/index.ts";
import type { RepoStore } from "../repos/repo-store.ts";

export const SEARCH_README_JOB = "search.readme";
/** README text beyond this many bytes is not indexed. */
export const MAX_README_BYTES = 256 * 1024;

/** Asks for the project's README to be indexed again (call inside the recording transaction). */
export function scheduleReadmeIndex(db: Db, projectId: string) {
  return enqueue(db, SEARCH_README_JOB, { projectId }, { uniqueKey: `${SEARCH_README_JOB}:${projectId}` });
}

interface Readme {
  path: string;
  text: string;
}

/** The README at the top of a commit's tree (markdown preferred), as text; none if binary. */
export async function readReadme(dir: string, commit: string): Promise<Readme | undefined> {
  const entries = (await listTree(dir, commit, "")) ?? [];
  const candidates = entries.filter((e) => e.type === "blob" && README.test(e.name) && e.mode !== "120000");
  const entry = candidates.find((e) => /\.(md|markdown|mdown|mkdn)$/i.test(e.name)) ?? candidates[0];
  if (!entry) return undefined;
  const { data } = await readBlob(dir, entry.oid, MAX_README_BYTES);
  if (isBinary(data)) return undefined;
  return { path: entry.path, text: data.toString("utf8") };
}

async function defaultBranchTip(dir: string): Promise<string | null> {
  const refs = await listRefs(dir);
  return refs.branches.find((b) => b.name === refs.defaultBranch)?.commit ?? null;
}

/** Indexes the README of the project's default branch; returns the commit it was read at. */
export async function indexReadme(
  db: Db,
  repos: RepoStore,
  projectId: string,
  /** Told each README text indexed (the abuse signals count its links). */
  onText?: (projectId: string, text: string) => Promise<void>,
): Promise<string | null> {
  if (!repos.exists(projectId)) return null; // deleted meanwhile
  const dir = repos.dir(projectId);
  let tip = await defaultBranchTip(dir);
  // A push during the job is coalesced into it (same unique key), so look again afterwards.
  for (let round = 0; round < 3; round++) {
    const current = await db
      .selectFrom("project_search")
      .select("readme_commit")
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    if (current && current.readme_commit === tip) break;
    const readme = tip ? await readReadme(dir, tip) : undefined;
    const text = (readme?.text ?? "").replaceAll("\0", "");
    await sql`
      INSERT INTO project_search (project_id, readme_path, readme_commit, readme_text, document)
      SELECT p.id, ${readme?.path ?? null}, ${tip}, ${text},
             project_search_document(p.name, p.handle, p.description, ${text})
      FROM projects p WHERE p.id = ${projectId}
      ON CONFLICT (project_id) DO UPDATE SET
        readme_path = excluded.readme_path, readme_commit = excluded.readme_commit,
        readme_text = excluded.readme_text, document = excluded.document, updated_at = now()`.execute(db);
    if (onText && text) await onText(projectId, text);
    const after = await defaultBranchTip(dir);
    if (after === tip) break;
    tip = after;
  }
  return tip;
}

export function searchJobHandlers(
  db: Db,
  repos: RepoStore,
  onText?: (projectId: string, text: string) => Promise<void>,
): Record<string, JobHandler> {
  return {
    [SEARCH_README_JOB]: async (payload: { projectId: string }) => {
      await indexReadme(db, repos, payload.projectId, onText);
    },
  };
}
