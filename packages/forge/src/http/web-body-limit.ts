// Caps the body of web form posts before anything reads it (the CSRF check parses every
// form): 1 MB for forms, the avatar's limit for avatar uploads, the web import's for bundles
// (those two only for signed-in senders: anyone else gets the form's 1 MB).
// An oversized body is read to its end and dropped (up to DRAIN_BYTES) before the 413, so the
// browser, still sending, sees the answer instead of a reset connection. The JSON API has its
// own cap (api/api.ts); git smart HTTP streams and is not limited here.
// A form is then read and parsed here, once (Hono keeps the result for parseBody): a body cut
// off by a client that hung up, or one that is not a readable form (gzip-encoded, a broken
// multipart), ends as a 400 here instead of an unhandled error in the middleware after.
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../errors/app-error.ts";
import { MAX_AVATAR_BYTES } from "../profiles/avatars.ts";
import { isGitPath } from "../repos/smart-http.ts";
import type { AppEnv } from "./context.ts";

export const MAX_FORM_BYTES = 1024 * 1024;
/** A bundle uploaded through the web import form (larger ones go through the API). */
export const MAX_WEB_BUNDLE_BYTES = 512 * 1024 * 1024;
/** At most this much of an oversized body is read and dropped; beyond, the connection is cut. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export interface Limit {
  max: number;
  message: string;
}

const FORM: Limit = { max: MAX_FORM_BYTES, message: "The form is larger than 1 MB" };
// A little over the avatar route's own check, which answers on the settings page itself.
const AVATAR: Limit = {
  max: MAX_AVATAR_BYTES + 256 * 1024,
  message: `Avatars must be at most ${MAX_AVATAR_BYTES / 1024 / 1024} MB`,
};
const BUNDLE: Limit = {
  max: MAX_WEB_BUNDLE_BYTES,
  message: "Bundles uploaded from the web may be up to 512 MB; use the API for larger ones",
};

/** Uploads get their larger allowance only when someone signed in sends them. */
function limitOf(path: string, signedIn: boolean): Limit {
  if (!signedIn) return FORM;
  if (path === "/new/import") return BUNDLE;
  if (path.endsWith("/avatar")) return AVATAR;
  return FORM;
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, read: number) {
  for (let total = read; total <= DRAIN_BYTES; ) {
    const { done, value } = await reader.read();
    if (done) return;
    total += value.byteLength;
  }
  await reader.cancel();
}

/** The body, read up to `max` bytes; throws too_large (after draining) past that. */
export async function readCapped(c: Context<AppEnv>, limit: Limit): Promise<Uint8Array | null> {
  const body = c.req.raw.body;
  if (!body) return null;
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit.max) {
      await drain(reader, size);
      throw new AppError("too_large", limit.message);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

const FORM_TYPE = /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\s*(;|$)/i;

/** A body that could not be read: the client hung up, or it is no form. */
function unreadable(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const aborted = (err as { code?: string }).code === "ECONNRESET" || /aborted/i.test(String(err));
  return new AppError(
    "invalid",
    aborted ? "The request body ended before it was complete" : "The form could not be read",
  );
}

/** Caps the body (see above), then reads and parses a form once. */
async function readForm(c: Context<AppEnv>): Promise<void> {
  const path = c.req.path;
  const limit = limitOf(path, Boolean(c.get("viewer").user));
  const header = c.req.header("content-length");
  if (header !== undefined) {
    // Node delivers no more than the declared length: checking it is enough.
    if (Number(header) > limit.max) {
      const reader = c.req.raw.body?.getReader();
      if (reader) await drain(reader, 0);
      throw new AppError("too_large", limit.message);
    }
  } else {
    // Sent in chunks, of unknown length: counted as it arrives.
    const bytes = await readCapped(c, limit);
    // The routes read the buffered body as usual (parseBody, formFields).
    if (bytes) c.req.raw = new Request(c.req.raw, { body: bytes });
  }
  if (FORM_TYPE.test(c.req.header("content-type") ?? "")) await c.req.parseBody();
}

export const webBodyLimit = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const path = c.req.path;
  if (SAFE.has(c.req.method) || path.startsWith("/api/") || isGitPath(path)) return next();
  try {
    await readForm(c);
  } catch (err) {
    throw unreadable(err);
  }
  return next();
};
