// Static files: the stylesheet, and the API reference UI's files from swagger-ui-dist.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";

export const assets = new Hono<AppEnv>();

const css = readFileSync(join(import.meta.dirname, "assets", "style.css"), "utf8");
assets.get("/assets/style.css", (c) =>
  c.body(css, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
);

const swaggerDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const SWAGGER_FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};
const swaggerCache = new Map<string, Uint8Array<ArrayBuffer>>();
assets.get("/assets/swagger/:file", (c) => {
  const file = c.req.param("file");
  const type = SWAGGER_FILES[file];
  if (!type) return c.notFound();
  let body = swaggerCache.get(file);
  if (!body) {
    body = new Uint8Array(readFileSync(join(swaggerDir, file)));
    swaggerCache.set(file, body);
  }
  return c.body(body, 200, { "Content-Type": type, "Cache-Control": "public, max-age=86400" });
});
