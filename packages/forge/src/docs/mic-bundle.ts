// /mic.mjs: mic, the session client, as the single file it is bundled into
// (packages/mic/dist/mic.mjs, built at install by the root `prepare` script), so an agent on
// any machine with node and git installs it from the forge it works with (see /skill.md).
// The path is resolved from this module's directory, which the forge's own bundle keeps
// pointing at src/docs (packages/forge/build.mjs). The file is read once and again only when
// it changes; its ETag is a hash of its bytes, so clients revalidate cheaply.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";

export const MIC_BUNDLE = join(import.meta.dirname, "..", "..", "..", "mic", "dist", "mic.mjs");

let loaded: { mtimeMs: number; size: number; body: Buffer; etag: string } | undefined;

/** The bundle's bytes and ETag, or undefined when it was never built. */
function bundle() {
  let stat: { mtimeMs: number; size: number };
  try {
    stat = statSync(MIC_BUNDLE);
  } catch {
    return undefined;
  }
  if (loaded?.mtimeMs !== stat.mtimeMs || loaded.size !== stat.size) {
    const body = readFileSync(MIC_BUNDLE);
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
    loaded = { mtimeMs: stat.mtimeMs, size: stat.size, body, etag };
  }
  return loaded;
}

const matches = (header: string | undefined, etag: string) =>
  !!header && (header.trim() === "*" || header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag));

export const micBundle = new Hono<AppEnv>();

micBundle.get("/mic.mjs", (c) => {
  const b = bundle();
  if (!b)
    throw new AppError(
      "not_found",
      "This forge has no mic bundle: build it with `node packages/mic/build.mjs` (npm install does)",
    );
  const headers = {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=300, must-revalidate",
    ETag: b.etag,
    "X-Content-Type-Options": "nosniff",
  };
  if (matches(c.req.header("if-none-match"), b.etag)) return c.body(null, 304, headers);
  return c.body(new Uint8Array(b.body), 200, {
    ...headers,
    "Content-Disposition": 'attachment; filename="mic.mjs"',
  });
});
