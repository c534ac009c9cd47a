// The optional script of an open session's page (served as /assets/session-live.js; the CSP
// allows only same-origin scripts, so nothing is inline). It follows the project's event
// stream from the event id the page was rendered at and reloads the page when this session
// lands or a land of it is refused. Without it the page is complete, just not live.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";

export const SESSION_LIVE_JS = `"use strict";
(() => {
  const el = document.querySelector("[data-session-live]");
  if (!el || typeof EventSource === "undefined") return;
  const id = el.getAttribute("data-session");
  const url = el.getAttribute("data-events") + "?after=" + encodeURIComponent(el.getAttribute("data-after") || "0");
  const source = new EventSource(url);
  const onEvent = (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!data || data.session !== id) return;
    source.close();
    location.reload();
  };
  source.addEventListener("session.landed", onEvent);
  source.addEventListener("session.conflicted", onEvent);
  window.addEventListener("pagehide", () => source.close());
})();
`;

export const sessionLiveAsset = new Hono<AppEnv>();
sessionLiveAsset.get("/assets/session-live.js", (c) =>
  c.body(SESSION_LIVE_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);
