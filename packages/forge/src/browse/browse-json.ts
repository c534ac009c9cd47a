// The JSON shapes of the code-browsing API (OpenAPI schemas) and the functions that turn
// service results into them. Dates are ISO 8601 strings; ids are full hex object ids.
import { z } from "@hono/zod-openapi";
import type { DirectoryView, FileView } from "./browse-service.ts";
import type { CommitInfo, FileChange, FilePatch } from "./git-history.ts";
import type { Location, RepoRefs } from "./git-read.ts";

const PersonSchema = z.object({ name: z.string(), email: z.string(), date: z.string() });

export const CommitSchema = z
  .object({
    sha: z.string(),
    parents: z.array(z.string()),
    author: PersonSchema,
    committer: PersonSchema,
    subject: z.string(),
    message: z.string(),
  })
  .openapi("GitCommit");

const LastCommitSchema = z
  .object({ sha: z.string(), subject: z.string(), author: z.string(), date: z.string() })
  .openapi("GitLastCommit");

export const TreeSchema = z
  .object({
    ref: z.string(),
    commit: z.string(),
    path: z.string(),
    entries: z.array(
      z
        .object({
          name: z.string(),
          path: z.string(),
          type: z.enum(["tree", "blob", "commit"]).openapi({ description: "commit: a submodule" }),
          mode: z.string(),
          sha: z.string(),
          size: z.number().int().nullable(),
          symlink: z.boolean(),
          last_commit: LastCommitSchema.nullable().openapi({
            description: "Null when not found within the bounded history walk",
          }),
        })
        .openapi("GitTreeEntry"),
    ),
  })
  .openapi("GitTree");

export const BlobSchema = z
  .object({
    path: z.string(),
    ref: z.string(),
    commit: z.string(),
    sha: z.string(),
    size: z.number().int(),
    encoding: z.enum(["utf-8", "base64"]),
    content: z.string(),
    binary: z.boolean(),
    symlink: z.boolean(),
  })
  .openapi("GitBlob");

const RefSchema = z.object({ name: z.string(), commit: z.string() }).openapi("GitRef");

export const RefsSchema = z
  .object({
    default_branch: z.string().nullable(),
    branches: z.array(RefSchema),
    tags: z.array(RefSchema),
  })
  .openapi("GitRefs");

export const CommitDetailSchema = CommitSchema.extend({
  stats: z.object({ files: z.number().int(), additions: z.number().int(), deletions: z.number().int() }),
  files: z.array(
    z
      .object({
        path: z.string(),
        old_path: z.string().nullable(),
        status: z.enum(["added", "modified", "deleted", "renamed", "copied", "type_changed"]),
        additions: z.number().int().nullable(),
        deletions: z.number().int().nullable(),
        binary: z.boolean(),
        patch: z.string().nullable().openapi({ description: "Null for binary files or past the size cap" }),
      })
      .openapi("GitFileChange"),
  ),
  truncated: z.boolean().openapi({ description: "True when the patch was cut at the size cap" }),
}).openapi("GitCommitDetail");

const person = (p: CommitInfo["author"]) => ({ name: p.name, email: p.email, date: p.date.toISOString() });

export const commitJson = (c: CommitInfo) => ({
  sha: c.sha,
  parents: c.parents,
  author: person(c.author),
  committer: person(c.committer),
  subject: c.subject,
  message: c.message,
});

export function treeJson(loc: Location, dir: DirectoryView) {
  return {
    ref: loc.ref,
    commit: loc.commit,
    path: loc.path,
    entries: dir.entries.map((e) => {
      const last = dir.last.get(e.name);
      return {
        name: e.name,
        path: e.path,
        type: e.type,
        mode: e.mode,
        sha: e.oid,
        size: e.size,
        symlink: e.mode === "120000",
        last_commit: last ? { ...last, date: last.date.toISOString() } : null,
      };
    }),
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Text that is valid UTF-8 is returned as is; anything else as base64. */
export function blobJson(loc: Location, f: FileView) {
  const data = f.content ?? Buffer.alloc(0);
  let text: string | undefined;
  if (!f.binary) {
    try {
      text = utf8.decode(data);
    } catch {
      text = undefined;
    }
  }
  return {
    path: loc.path,
    ref: loc.ref,
    commit: loc.commit,
    sha: f.entry.oid,
    size: f.entry.size ?? data.length,
    encoding: text === undefined ? ("base64" as const) : ("utf-8" as const),
    content: text ?? data.toString("base64"),
    binary: f.binary,
    symlink: f.entry.mode === "120000",
  };
}

export const refsJson = (refs: RepoRefs) => ({
  default_branch: refs.defaultBranch ?? null,
  branches: refs.branches.map((b) => ({ name: b.name, commit: b.commit })),
  tags: refs.tags.map((t) => ({ name: t.name, commit: t.commit })),
});

export function commitDetailJson(d: {
  commit: CommitInfo;
  files: FileChange[];
  patches: FilePatch[];
  truncated: boolean;
}) {
  const files = d.files.map((f, i) => {
    const patch = d.patches[i];
    return {
      path: f.path,
      old_path: f.oldPath,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      binary: f.binary,
      patch: f.binary || !patch ? null : [...patch.header, ...patch.lines].join("\n"),
    };
  });
  return {
    ...commitJson(d.commit),
    stats: {
      files: files.length,
      additions: files.reduce((n, f) => n + (f.additions ?? 0), 0),
      deletions: files.reduce((n, f) => n + (f.deletions ?? 0), 0),
    },
    files,
    truncated: d.truncated,
  };
}
