// Static files for the code browser: the highlighter's stylesheet (generated from its theme)
// and the optional script that highlights #L10-L20 line ranges and lets shift-click pick
// one. Pages work without the script: single lines use CSS :target.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { highlightStylesheet } from "../render/index.ts";

export const browseAssets = new Hono<AppEnv>();

const css = highlightStylesheet();
browseAssets.get("/assets/highlight.css", (c) =>
  c.body(css, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
);

export const CODE_LINES_JS = `"use strict";
(() => {
  const table = document.querySelector("table.code.hl");
  if (!table) return;
  let anchor = 0;
  const parse = () => {
    const m = /^#L(\\d+)(?:-L(\\d+))?$/.exec(location.hash);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    return [Math.min(a, b), Math.max(a, b)];
  };
  const apply = (scroll) => {
    for (const row of table.querySelectorAll("tr.selected")) row.classList.remove("selected");
    const range = parse();
    if (!range) return;
    for (let i = range[0]; i <= range[1]; i++) document.getElementById("L" + i)?.classList.add("selected");
    if (scroll && range[0] !== range[1]) document.getElementById("L" + range[0])?.scrollIntoView({ block: "center" });
  };
  table.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("td.ln a") : null;
    if (!link) return;
    const n = Number(link.textContent);
    if (event.shiftKey && anchor) {
      event.preventDefault();
      history.replaceState(null, "", "#L" + Math.min(anchor, n) + "-L" + Math.max(anchor, n));
      apply(false);
    } else {
      anchor = n;
    }
  });
  window.addEventListener("hashchange", () => apply(false));
  apply(true);
})();
`;

browseAssets.get("/assets/code-lines.js", (c) =>
  c.body(CODE_LINES_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);
