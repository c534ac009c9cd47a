// A session's artifacts: files an agent produces while it works (screenshots, reports, logs)
// uploaded to the forge, kept in the object store by content (session-artifacts/<project>/<sha256>)
// and announced as an `artifact` event of the session, so live viewers see them arrive. They are
// read with the session's access, and only through an artifact event of that session, so one
// project's upload can never be read through another's. Raster images are served inline (the
// session page shows them); everything else as an attachment; always nosniff.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { AppError, invalid, notFound, unauthorized } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { storeFor } from "../storage/store-for.ts";
import { appendEvents, getSession, requireOpen } from "./sessions-service.ts";

export const ARTIFACT_MAX_BYTES = 8 * 1024 * 1024;
export const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);
const NAME = /^[^\p{Cc}/\\]{1,300}$/u;
const TYPE = /^[\w.+-]+\/[\w.+-]+$/;

const keyOf = (projectId: string, sha: string) => `session-artifacts/${projectId.toLowerCase()}/${sha}`;

export const artifactPath = (owner: string, project: string, session: string, sha: string) =>
  `/${owner}/${project}/sessions/${session}/artifacts/${sha}`;

export async function storeArtifact(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  file: { name: string; contentType: string; body: Uint8Array },
) {
  if (!viewer.user) throw unauthorized();
  const { project: p, session } = await getSession(forge.db, viewer, owner, project, id, "write");
  requireOpen(session);
  if (!NAME.test(file.name))
    throw invalid("Name the artifact: ?name=NAME (1 to 300 characters, no slashes)", [
      { field: "name", message: "1 to 300 characters, no slashes or control characters" },
    ]);
  const contentType = file.contentType.split(";")[0]!.trim().toLowerCase();
  if (!TYPE.test(contentType)) throw invalid("Give the artifact's Content-Type");
  if (file.body.byteLength === 0) throw invalid("The artifact is empty");
  if (file.body.byteLength > ARTIFACT_MAX_BYTES)
    throw new AppError("too_large", `An artifact may be at most ${ARTIFACT_MAX_BYTES} bytes`);
  const sha256 = createHash("sha256").update(file.body).digest("hex");
  const key = keyOf(p.id, sha256);
  const store = await storeFor(forge, p.owner_id); // the owner's bucket, if they set one
  if (!(await store.has(key))) await store.put(key, Buffer.from(file.body));
  const event = {
    kind: "artifact" as const,
    name: file.name,
    sha256,
    size: file.body.byteLength,
    content_type: contentType,
    stored: true,
  };
  await appendEvents(forge.db, session, [event]);
  return { ...event, url: artifactPath(p.owner_handle, p.handle, session.id, sha256) };
}

/** An uploaded artifact of a session the viewer may read, with how to serve it. */
export async function readArtifact(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  sha256: string,
) {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw notFound("No such artifact");
  const { project: p, session } = await getSession(forge.db, viewer, owner, project, id);
  const event = await forge.db
    .selectFrom("session_events")
    .select("data")
    .where("session_id", "=", session.id)
    .where("kind", "=", "artifact")
    .where(sql`data->>'sha256'`, "=", sha256)
    .where(sql`data->>'stored'`, "=", "true")
    .orderBy("seq", "desc")
    .executeTakeFirst();
  const body = event && (await (await storeFor(forge, p.owner_id)).get(keyOf(p.id, sha256)));
  if (!event || !body) throw notFound("No such artifact");
  const data = event.data as { name: string; content_type?: string };
  const type = data.content_type ?? "application/octet-stream";
  const inline = IMAGE_TYPES.has(type);
  return {
    body,
    headers: {
      "Content-Type": inline ? type : "application/octet-stream",
      "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(data.name)}`,
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      // Content-addressed, but a public project may turn private: shared caches keep it an hour.
      "Cache-Control":
        p.visibility === "private" ? "private, max-age=31536000, immutable" : "public, max-age=3600",
      ETag: `"${sha256}"`,
    },
  };
}
