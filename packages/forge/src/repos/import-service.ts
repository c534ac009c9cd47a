// Import with access rules: project administrators import bundles; importing a path on the
// server is for instance administrators only. Uploaded bundles are streamed to a temporary
// file under a size cap and removed afterwards. Each import is audited.
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ulid } from "@micelio/core/ulid";
import { isAdmin, type Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import { AppError, forbidden } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { scheduleReadmeIndex } from "../search/readme-index.ts";
import { type ImportSource, importRepository } from "./import.ts";
import { scheduleMaintenance } from "./maintain.ts";

export const IMPORT_MAX_BYTES = (Number(process.env.MICELIO_IMPORT_MAX_MB) || 2048) * 1024 * 1024;

/** Saves an uploaded bundle to a temporary file, refusing bodies over the cap. */
export async function saveUpload(
  dataDir: string,
  body: ReadableStream<Uint8Array>,
  maxBytes = IMPORT_MAX_BYTES,
) {
  const dir = join(dataDir, "tmp");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${ulid()}.bundle`);
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes)
        done(new AppError("too_large", `The bundle is larger than ${Math.round(maxBytes / 1048576)} MB`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body as any), cap, createWriteStream(file));
  } catch (err) {
    rmSync(file, { force: true });
    throw err;
  }
  return file;
}

export async function importIntoProject(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  handle: string,
  source: ImportSource,
) {
  const { project } = await getProject(forge.db, viewer, owner, handle, "admin");
  if (source.kind === "path" && !isAdmin(viewer)) {
    throw forbidden(
      "Only instance administrators can import from a path on the server; upload a git bundle instead",
    );
  }
  const result = await importRepository(forge.repos.dir(project.id), source);
  await recordAudit(forge.db, viewer, {
    action: "project.import",
    targetType: "project",
    targetId: project.id,
    target: `${project.owner_handle}/${project.handle}`,
    projectId: project.id,
    data: { source: source.kind, ...result },
  });
  await scheduleMaintenance(forge.db, project.id);
  await scheduleReadmeIndex(forge.db, project.id);
  return { project, ...result };
}

/** Runs an import from an uploaded bundle, removing the temporary file afterwards. */
export async function importUploadedBundle(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  handle: string,
  body: ReadableStream<Uint8Array>,
) {
  await getProject(forge.db, viewer, owner, handle, "admin"); // refuse before reading the body
  const file = await saveUpload(forge.config.dataDir, body);
  try {
    return await importIntoProject(forge, viewer, owner, handle, { kind: "bundle", file });
  } finally {
    rmSync(file, { force: true });
  }
}
