// One file of a session's change from its raw bytes: `PUT …/sessions/{id}/file?path=…`, for
// files too large for PUT …/changes (a JSON body of at most 1 MiB, base64 inside). The body
// is read up to MAX_SESSION_FILE_BYTES and applied like a one-file changes upload (same path
// checks, same compare-and-swap of the session's ref, same answer). mic uses it to land large
// files from a mount, where there is no git repository to push from.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, problems, requireUser, scoped } from "../api/openapi.ts";
import { AppError, invalid } from "../errors/app-error.ts";
import { readCapped } from "../http/web-body-limit.ts";
import { putSessionFile } from "./session-actions.ts";
import { appliedSchema } from "./session-changes.ts";
import { getSession, requireOpen } from "./sessions-service.ts";

export const MAX_SESSION_FILE_BYTES = 64 * 1024 * 1024;
/** Uploads read at once in this process (each is held in memory until its blob is written). */
const MAX_UPLOADS = 4;
let uploads = 0;

export const sessionFileApi = apiRouter();

sessionFileApi.openapi(
  createRoute({
    method: "put",
    path: "/projects/{owner}/{project}/sessions/{id}/file",
    tags: ["sessions"],
    summary: "Upload one file of the session's change as raw bytes (for files too large for PUT …/changes)",
    description: `The body is the file's bytes (\`Content-Type: application/octet-stream\`), at most ${MAX_SESSION_FILE_BYTES} bytes; \`path\` names the file and \`mode\` its git mode (100644 by default). Applied on top of the session's current change like a one-file PUT …/changes, with the same answer.`,
    ...scoped("session:write"),
    request: {
      params: z.object({ owner: z.string().max(100), project: z.string().max(200), id: z.string().max(40) }),
      query: z.object({
        path: z.string().min(1).max(4096),
        mode: z.enum(["100644", "100755", "120000"]).optional(),
      }),
      body: { content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
    },
    responses: {
      200: json(appliedSchema, "The session's change"),
      400: problems[400],
      404: problems[404],
      409: problems[409],
      413: problems[413],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const { path, mode } = c.req.valid("query");
    if (/json/i.test(c.req.header("content-type") ?? ""))
      throw invalid("Send the file's bytes as application/octet-stream (JSON uploads go to PUT …/changes)");
    const limit = {
      max: MAX_SESSION_FILE_BYTES,
      message: `A file may be at most ${MAX_SESSION_FILE_BYTES} bytes`,
    };
    if (Number(c.req.header("content-length") ?? 0) > limit.max)
      throw new AppError("too_large", limit.message);
    // Who may write to the session is known before a byte of the body is held.
    const forge = c.get("forge");
    const { session } = await getSession(forge.db, c.get("viewer"), owner, project, id, "write");
    requireOpen(session);
    if (uploads >= MAX_UPLOADS)
      throw new AppError("unavailable", "Too many file uploads at once; try again shortly");
    uploads++;
    try {
      const body = await readCapped(c, limit);
      const file = { path, mode: mode ?? "100644", bytes: Buffer.from(body ?? new Uint8Array()) };
      return c.json(await putSessionFile(forge, c.get("viewer"), owner, project, id, file), 200);
    } finally {
      uploads--;
    }
  },
);
