// Content by object id for clients that fetch lazily (mic-fs): a position or ref resolved to
// its commit and root tree, a tree's entries, and blobs' bytes. Objects never change, so
// every answer here is immutable. Reads go through the forge's git layer (one long-lived
// `cat-file --batch` per repository), never a new git process. Access: the project must be
// readable by the viewer (private projects are 404 to everyone else); a fork borrows its
// parent's objects (objects/info/alternates), so an id is answered there only when the viewer
// may also read the parent — borrowed storage never becomes borrowed access.
import type { Viewer } from "../accounts/viewer.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { getProject, type ProjectWithOwner, projectByName } from "../projects/projects-service.ts";
import { readAlternates } from "../repos/git-layer/fork-objects.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { EMPTY_TREE, parseCommit } from "../repos/git-layer/objects.ts";
import { listTreeObject } from "../repos/git-layer/repo-reads.ts";
import { assertSafeRef } from "../repos/safe-names.ts";
import { DeltaBudget, deltaFrom } from "./batch-deltas.ts";
import { signedSecondsLeft } from "./object-urls.ts";

/** Largest object served by id (bigger ones: clone, or the raw file URL). */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;
/** Ids one batch request may ask for, and the bytes of content one batch answer carries. */
export const MAX_BATCH_IDS = 512;
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

const SHA = /^[0-9a-f]{40}$/;

export interface ContentRepo {
  project: ProjectWithOwner;
  git: GitRepo | null;
  /** True when the project's objects may be cached by anyone (a public project). */
  public: boolean;
}

/** The project's repository for reading by id, if the viewer may read it (404 otherwise). */
export async function openContent(forge: Forge, viewer: Viewer, owner: string, name: string) {
  const { project } = await getProject(forge.db, viewer, owner, name, "read");
  if (project.parent_id && readAlternates(forge.repos.dir(project.id)).length > 0)
    await requireParentReadable(forge, viewer, project.parent_id);
  const exists = forge.repos.exists(project.id);
  return {
    project,
    git: exists ? forge.git.get(forge.repos.dir(project.id)) : null,
    public: project.visibility === "public",
  } satisfies ContentRepo;
}

/**
 * The repository for a request carrying a signed object URL instead of credentials (the URL
 * was signed for a caller who passed openContent); 404 when the signature is wrong or old.
 */
export async function openSigned(
  forge: Forge,
  owner: string,
  name: string,
  signature: { expires?: string; sig?: string },
): Promise<ContentRepo & { secondsLeft: number }> {
  const project = await projectByName(forge.db, owner, name);
  const left = project && signedSecondsLeft(forge, project.id, signature.expires, signature.sig);
  if (!project || !left) throw notFound("Object not found (the signed URL is wrong or has expired)");
  const exists = forge.repos.exists(project.id);
  return {
    project,
    git: exists ? forge.git.get(forge.repos.dir(project.id)) : null,
    public: project.visibility === "public",
    secondsLeft: left,
  };
}

async function requireParentReadable(forge: Forge, viewer: Viewer, parentId: string) {
  const row = await forge.db
    .selectFrom("projects")
    .innerJoin("accounts", "accounts.id", "projects.owner_id")
    .select(["accounts.handle as owner", "projects.handle as handle"])
    .where("projects.id", "=", parentId)
    .executeTakeFirst();
  if (!row) return; // the parent is gone: the fork owns what it borrowed
  try {
    await getProject(forge.db, viewer, row.owner, row.handle, "read");
  } catch {
    throw notFound("Object not found");
  }
}

const noObject = () => notFound("Object not found");

export function checkSha(sha: string) {
  if (!SHA.test(sha)) throw noObject();
  return sha;
}

/** `at`: a trunk position (digits), or a branch, tag or commit id; empty: the default branch. */
export async function resolvePosition(forge: Forge, repo: ContentRepo, at: string | undefined) {
  const head = repo.project.head_position;
  let commit: string | null = null;
  let position: number | null = null;
  if (at && /^\d{1,12}$/.test(at)) {
    position = Number(at);
    const row = await forge.db
      .selectFrom("landings")
      .select("commit_sha")
      .where("project_id", "=", repo.project.id)
      .where("position", "=", position)
      .executeTakeFirst();
    if (!row) throw notFound(`No landing at position ${position}; trunk's head is at position ${head}`);
    commit = row.commit_sha;
  } else if (repo.git) {
    const name = at ? assertSafeRef(at) : "HEAD";
    commit = await repo.git.resolveCommit(name);
    if (!commit && at) throw notFound("No such branch, tag or commit");
    if (commit && !at) position = head;
  }
  if (!commit || !repo.git)
    return { commit: null, tree: EMPTY_TREE, position: position ?? 0, head_position: head };
  const tree = parseCommit((await repo.git.readType(commit, "commit")).data).tree;
  return { commit, tree, position, head_position: head };
}

/** A tree's entries (name, mode, type, sha, size), or 404 when the id names no tree. */
export async function treeEntries(repo: ContentRepo, sha: string) {
  checkSha(sha);
  if (!repo.git) {
    if (sha === EMPTY_TREE) return [];
    throw noObject();
  }
  const listed = await listTreeObject(repo.git, sha);
  if (!listed) throw noObject();
  return listed.map((e) => ({
    name: e.name,
    mode: e.mode === "40000" ? "040000" : e.mode,
    type: e.type,
    sha: e.oid,
    size: e.size,
  }));
}

/** A blob's bytes, or 404 when the id names no blob; 413 beyond MAX_OBJECT_BYTES. */
export async function blobBytes(repo: ContentRepo, sha: string): Promise<Buffer> {
  checkSha(sha);
  if (!repo.git) throw noObject();
  const info = await repo.git.info(sha);
  if (info?.type !== "blob") throw noObject();
  if (info.size > MAX_OBJECT_BYTES) throw tooLarge(info.size);
  const obj = await repo.git.read(sha);
  if (obj?.type !== "blob") throw noObject();
  return obj.data;
}

const tooLarge = (size: number) =>
  new AppError("too_large", `The object is ${size} bytes; ids serve at most ${MAX_OBJECT_BYTES}`, { size });

/**
 * Many objects in one answer, framed as `git cat-file --batch` frames them:
 * `<sha> <type> <size>\n<bytes>\n` per object, `<sha> missing\n` for an id the repository does
 * not have (or that is too large), and `<sha> deferred\n` for ids left for another request once
 * the answer holds MAX_BATCH_BYTES (the client asks for those again). For an id with a base in
 * `bases` (a blob the client has), `<sha> delta <size> <base>\n<git delta>\n` when the delta
 * is smaller than the blob (batch-deltas.ts).
 */
export async function batchFrames(
  repo: ContentRepo,
  ids: string[],
  bases: Record<string, string> = {},
): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const budget = new DeltaBudget();
  let bytes = 0;
  for (const sha of ids) {
    if (!SHA.test(sha) || !repo.git) {
      out.push(Buffer.from(`${sha.slice(0, 64)} missing\n`));
      continue;
    }
    if (bytes >= MAX_BATCH_BYTES) {
      out.push(Buffer.from(`${sha} deferred\n`));
      continue;
    }
    const info = await repo.git.info(sha);
    const obj = info && info.size <= MAX_OBJECT_BYTES ? await repo.git.read(sha) : null;
    if (!obj) {
      out.push(Buffer.from(`${sha} missing\n`));
      continue;
    }
    const base = obj.type === "blob" ? bases[sha] : undefined;
    const delta = base && (await deltaFrom(repo.git, obj.data, base, budget));
    const data = delta || obj.data;
    bytes += data.length;
    const head = delta ? `${sha} delta ${data.length} ${base}` : `${sha} ${obj.type} ${data.length}`;
    out.push(
      Buffer.from(`${head}\n`),
      Buffer.from(data.buffer, data.byteOffset, data.length),
      Buffer.from("\n"),
    );
  }
  return out;
}
