// The optional script of an open session's page (served as /assets/session-live.js; the CSP
// allows only same-origin scripts, so nothing is inline). It follows the session's own event
// stream (SSE, from the last event the page shows; the browser resumes with Last-Event-ID
// after a dropped connection) and appends each new event to the timeline as it arrives —
// text set as text, never as HTML; progress as a bar; output with its terminal escape
// sequences removed — and it follows the project's stream to reload the page when this
// session lands, closes or a land of it is refused. Without it the page is complete, just not live.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { ANSI_SEQUENCE } from "../render/ansi.ts";

export const SESSION_LIVE_JS = `"use strict";
(() => {
  const el = document.querySelector("[data-session-live]");
  if (!el || typeof EventSource === "undefined") return;
  const id = el.getAttribute("data-session");
  const reload = () => {
    for (const source of sources) source.close();
    location.reload();
  };
  const sources = [];
  const project = new EventSource(
    el.getAttribute("data-events") + "?after=" + encodeURIComponent(el.getAttribute("data-after") || "0"),
  );
  sources.push(project);
  const onProjectEvent = (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data && data.session === id) reload();
  };
  project.addEventListener("session.landed", onProjectEvent);
  project.addEventListener("session.conflicted", onProjectEvent);

  const feed = el.getAttribute("data-session-events");
  if (feed) {
    const LABEL = { prompt: "Prompt", message: "Message", decision: "Decision", tool_call: "Tool call",
      status: "Status", progress: "Progress", output: "Output", error: "Error", artifact: "Artifact" };
    const ESCAPES = new RegExp(${JSON.stringify(ANSI_SEQUENCE.source)}, "g");
    const node = (tag, cls, text) => {
      const n = document.createElement(tag);
      if (cls) n.className = cls;
      if (text !== undefined) n.textContent = text;
      return n;
    };
    const str = (v) => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));
    const list = () => {
      let ol = document.querySelector("ol.timeline");
      if (!ol) {
        ol = node("ol", "timeline");
        const empty = document.querySelector(".session-conversation .empty");
        if (empty) empty.replaceWith(ol);
        else (document.querySelector(".session-conversation") || document.body).appendChild(ol);
      }
      return ol;
    };
    const IMAGES = ["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"];
    const artifact = (e) => {
      if (e.stored !== true || !/^[0-9a-f]{64}$/.test(String(e.sha256))) return node("p", "ev-line", str(e.name));
      const href = location.pathname.replace(/[/]+$/, "") + "/artifacts/" + e.sha256;
      const fig = node("figure", "ev-artifact");
      if (IMAGES.includes(e.content_type)) {
        const a = node("a");
        a.href = href;
        const img = node("img");
        img.src = href;
        img.alt = str(e.name);
        a.appendChild(img);
        fig.appendChild(a);
      }
      const cap = node("figcaption");
      const a = node("a", "", str(e.name));
      a.href = href;
      cap.appendChild(a);
      fig.appendChild(cap);
      return fig;
    };
    const body = (e) => {
      if (e.kind === "output") return node("pre", "ev-output ev-terminal", str(e.text).replace(ESCAPES, ""));
      if (e.kind === "progress") {
        const p = node("p", "ev-line", str(e.text) + " ");
        if (typeof e.done === "number" && typeof e.total === "number" && e.total > 0) {
          const bar = node("progress");
          bar.max = e.total;
          bar.value = Math.min(e.done, e.total);
          p.appendChild(bar);
          p.appendChild(node("span", "hint", " " + e.done + "/" + e.total));
        }
        return p;
      }
      if (e.kind === "tool_call") return node("p", "ev-line", str(e.tool));
      if (e.kind === "artifact") return artifact(e);
      if (e.kind === "status") return node("p", "ev-line", str(e.status) + (e.text ? ": " + str(e.text) : ""));
      return node("div", "ev-text", str(e.text));
    };
    const session = new EventSource(feed + "?after=" + encodeURIComponent(el.getAttribute("data-last-seq") || "0"));
    sources.push(session);
    const onEvent = (event) => {
      let e;
      try {
        e = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!e || typeof e.seq !== "number" || document.getElementById("event-" + e.seq)) return;
      const kind = String(e.kind || "").replace(/[^a-z_]/g, "");
      const li = node("li", "ev ev-" + kind + " ev-live");
      li.id = "event-" + e.seq;
      const head = node("header", "ev-head");
      const link = node("a", "ev-kind", LABEL[kind] || kind);
      link.href = "#event-" + e.seq;
      head.appendChild(link);
      li.appendChild(head);
      li.appendChild(body(e));
      list().appendChild(li);
    };
    for (const kind of Object.keys(LABEL)) session.addEventListener(kind, onEvent);
    session.addEventListener("session", (event) => {
      try {
        if (JSON.parse(event.data).status !== "open") reload();
      } catch {}
    });
  }
  window.addEventListener("pagehide", () => {
    for (const source of sources) source.close();
  });
})();
`;

export const sessionLiveAsset = new Hono<AppEnv>();
sessionLiveAsset.get("/assets/session-live.js", (c) =>
  c.body(SESSION_LIVE_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);
