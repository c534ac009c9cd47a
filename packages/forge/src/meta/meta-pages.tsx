// Routes of this folder: project badges (/{owner}/{project}/badge/{kind}.svg), the icons
// (/favicon.svg, /favicon.ico, /apple-touch-icon.png) and the /legal page.
import { Hono } from "hono";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { renderBadge } from "./badge-svg.ts";
import { badgeFor, isBadgeKind } from "./badges.ts";
import { appleTouchIcon, FAVICON_SVG, faviconIco } from "./favicon.ts";
import { legalPage } from "./legal-page.tsx";

export const metaPages = new Hono<AppEnv>();

const ICON_CACHE = "public, max-age=86400";

metaPages.get("/favicon.svg", (c) =>
  c.body(FAVICON_SVG, 200, { "Content-Type": "image/svg+xml", "Cache-Control": ICON_CACHE }),
);
metaPages.get("/favicon.ico", (c) =>
  c.body(new Uint8Array(faviconIco()), 200, { "Content-Type": "image/x-icon", "Cache-Control": ICON_CACHE }),
);
metaPages.get("/apple-touch-icon.png", (c) =>
  c.body(new Uint8Array(appleTouchIcon()), 200, { "Content-Type": "image/png", "Cache-Control": ICON_CACHE }),
);

metaPages.get("/:owner/:project/badge/:file", async (c) => {
  const m = /^([a-z-]+)\.svg$/.exec(c.req.param("file"));
  if (!m || !isBadgeKind(m[1]!)) throw notFound("No such badge");
  const forge = c.get("forge");
  // Private projects: 404 unless the viewer may read the project (README renderers fetch anonymously).
  const { project } = await getProject(
    forge.db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  const svg = renderBadge(await badgeFor(forge, project, m[1]));
  return c.body(svg, 200, {
    "Content-Type": "image/svg+xml; charset=utf-8",
    ...(project.visibility === "private"
      ? { "Cache-Control": "private, max-age=300", "Cross-Origin-Resource-Policy": "same-origin" }
      : { "Cache-Control": "public, max-age=300" }),
  });
});

metaPages.route("/", legalPage);
