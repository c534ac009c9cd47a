// The browser side of passkeys, served by the forge itself (never from a CDN): the
// @simplewebauthn/browser bundle from node_modules and the small script that drives the
// passkey forms (passkeys-client.js).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";

export const LIBRARY_PATH = "/assets/passkeys/simplewebauthn-browser.js";
export const CLIENT_PATH = "/assets/passkeys/passkeys.js";

// The package exports only its entry points; its root is two levels above the CommonJS one.
const packageDir = join(dirname(createRequire(import.meta.url).resolve("@simplewebauthn/browser")), "..");
const files: Record<string, string> = {
  [LIBRARY_PATH]: join(packageDir, "dist", "bundle", "index.umd.min.js"),
  [CLIENT_PATH]: join(import.meta.dirname, "passkeys-client.js"),
};
const cache = new Map<string, string>();

export const passkeyAssets = new Hono<AppEnv>();
for (const [path, file] of Object.entries(files)) {
  passkeyAssets.get(path, (c) => {
    let body = cache.get(path);
    if (body === undefined) {
      body = readFileSync(file, "utf8");
      cache.set(path, body);
    }
    return c.body(body, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    });
  });
}

/** The two script tags a page with passkey forms ends with. */
export const PasskeyScripts = () => (
  <>
    <script src={LIBRARY_PATH} defer />
    <script src={CLIENT_PATH} defer />
  </>
);
