// The blame page's stylesheet (/assets/blame.css). Mobile first: each hunk's attribution
// sits above its code; from 720 px on it is a column to the left. Code scrolls sideways in
// its own box, and line numbers keep one width across hunks (.blame-d1 … .blame-d5).
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";

export const BLAME_CSS = `
main:has(.blame) { max-width: 1200px; }
.blame-summary { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem;
  padding: 0.5rem 0.75rem; background: var(--card); border: 1px solid var(--border);
  border-radius: var(--radius); margin-bottom: 0.75rem; }
.blame { display: flex; flex-direction: column; gap: 0.5rem; }
.blame-hunk { display: grid; grid-template-columns: minmax(0, 1fr); background: var(--card);
  border: 1px solid var(--border); border-radius: var(--radius); }
.blame-attr { padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--border); font-size: 0.85rem;
  min-width: 0; }
.blame-attr p { margin: 0.15rem 0 0; color: var(--muted); }
.blame-goal { font-weight: 600; }
.blame-pos { font-family: var(--mono); }
.blame-hunk .code-scroll { border: 0; border-radius: 0 0 var(--radius) var(--radius); min-width: 0; }
.blame-d1 table.code td.ln { min-width: calc(1ch + 1.25rem); }
.blame-d2 table.code td.ln { min-width: calc(2ch + 1.25rem); }
.blame-d3 table.code td.ln { min-width: calc(3ch + 1.25rem); }
.blame-d4 table.code td.ln { min-width: calc(4ch + 1.25rem); }
.blame-d5 table.code td.ln { min-width: calc(5ch + 1.25rem); }
@media (min-width: 720px) {
  .blame-hunk { grid-template-columns: 16rem minmax(0, 1fr); }
  .blame-attr { border-bottom: 0; border-right: 1px solid var(--border); }
  .blame-hunk .code-scroll { border-radius: 0 var(--radius) var(--radius) 0; }
}
`;

export const blameAssets = new Hono<AppEnv>();
blameAssets.get("/assets/blame.css", (c) =>
  c.body(BLAME_CSS, 200, {
    "Content-Type": "text/css; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);
