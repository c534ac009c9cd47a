// The installable app's routes, before sign-in like the other static files: the manifest
// (/manifest.webmanifest), its icons (/assets/icons/*.png), the service worker (/sw.js), the
// script that registers it (/assets/pwa.js) and the page shown offline (/offline), which is
// the same for everyone (it is kept by the worker for all accounts).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { webManifest } from "./manifest.ts";
import { iconPng, isIconFile } from "./pwa-icons.ts";

export const pwaRoutes = new Hono<AppEnv>();

const client = readFileSync(join(import.meta.dirname, "pwa-client.js"), "utf8");
const workerSource = readFileSync(join(import.meta.dirname, "sw.js"), "utf8");
/** Changes whenever either script does, so browsers install the new worker and renew its shell cache. */
export const SW_VERSION = createHash("sha256").update(workerSource).update(client).digest("hex").slice(0, 12);
const worker = workerSource.replace("__VERSION__", SW_VERSION);

pwaRoutes.get("/manifest.webmanifest", (c) =>
  c.body(JSON.stringify(webManifest(c.get("forge").theme?.current())), 200, {
    "Content-Type": "application/manifest+json; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);

pwaRoutes.get("/assets/icons/:file", (c) => {
  const file = c.req.param("file");
  if (!isIconFile(file)) return c.notFound();
  return c.body(new Uint8Array(iconPng(file)), 200, {
    "Content-Type": "image/png",
    "Cache-Control": "public, max-age=86400",
  });
});

// The worker is checked for updates on every navigation: never cached by HTTP caches.
pwaRoutes.get("/sw.js", (c) =>
  c.body(worker, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "no-cache",
    "Service-Worker-Allowed": "/",
  }),
);

pwaRoutes.get("/assets/pwa.js", (c) =>
  c.body(client, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" }),
);

pwaRoutes.get("/offline", (c) => {
  c.header("Cache-Control", "no-cache");
  return c.html(
    <Layout
      title="You are offline"
      description="Micelio cannot be reached right now."
      user={null}
      csrfToken=""
      theme={c.get("forge").theme?.current() ?? null}
    >
      <section class="card offline">
        <h1>You are offline</h1>
        <p>
          Micelio cannot be reached from this device right now. Pages and files you read recently are still
          here; everything else comes back when the connection does.
        </p>
        <p>
          <a class="button" href="/">
            Try again
          </a>
        </p>
      </section>
      <section class="card" hidden>
        <h2>Read recently</h2>
        <ul id="offline-kept" class="offline-kept" />
      </section>
    </Layout>,
  );
});
