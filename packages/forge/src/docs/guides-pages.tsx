// /docs: the project's guides (docs/*.md and the ADRs in docs/adr/) rendered on the instance,
// so pages can link to the explanation of what they show (e.g. /docs/trust#agent-policy).
// Only files that exist in those two folders, by a plain name; rendered once and kept.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { raw } from "hono/html";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { renderMarkdown } from "../render/markdown.ts";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";

const DIR = join(import.meta.dirname, "..", "..", "..", "..", "docs");
const NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

function list(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .map((f) => f.slice(0, -3))
    .filter((n) => NAME.test(n))
    .sort();
}

const rendered = new Map<string, { title: string; html: string }>();

/** The guide's title and HTML, or null when there is no such guide. */
export function guide(folder: "" | "adr", name: string) {
  const key = `${folder}/${name}`;
  const cached = rendered.get(key);
  if (cached) return cached;
  const dir = folder ? join(DIR, folder) : DIR;
  if (!NAME.test(name) || !list(dir).includes(name)) return null;
  const source = readFileSync(join(dir, `${name}.md`), "utf8");
  const title = /^#\s+(.+)$/m.exec(source)?.[1]?.trim() ?? name;
  const html = renderMarkdown(source, {
    linkBase: folder ? "/docs/adr" : "/docs",
    rawBase: folder ? "/docs/adr" : "/docs",
    path: `${name}.md`,
  });
  const page = { title, html };
  rendered.set(key, page);
  return page;
}

export const guidesPages = new Hono<AppEnv>();

guidesPages.get("/docs", (c) =>
  c.html(
    <Layout {...meta(c, "Guides")}>
      <h1>Guides</h1>
      {list(DIR).length ? (
        <ul class="list">
          {list(DIR).map((n) => (
            <li>
              <a href={`/docs/${n}`}>{guide("", n)?.title ?? n}</a>
            </li>
          ))}
          <li>
            <a href="/docs/adr">Architecture decisions</a>
          </li>
        </ul>
      ) : (
        <p class="empty">This installation has no guides (the docs folder is not here).</p>
      )}
      <p>
        For agents: <a href="/skill.md">/skill.md</a>. The API: <a href="/api/docs">reference</a>.
      </p>
    </Layout>,
  ),
);

guidesPages.get("/docs/adr", (c) =>
  c.html(
    <Layout {...meta(c, "Architecture decisions")}>
      <h1>Architecture decisions</h1>
      <ul class="list">
        {list(join(DIR, "adr")).map((n) => (
          <li>
            <a href={`/docs/adr/${n}`}>{guide("adr", n)?.title ?? n}</a>
          </li>
        ))}
      </ul>
    </Layout>,
  ),
);

for (const [path, folder] of [
  ["/docs/adr/:name", "adr"],
  ["/docs/:name", ""],
] as const)
  guidesPages.get(path, (c) => {
    const name = c.req.param("name").replace(/\.md$/, "");
    const page = guide(folder, name);
    if (!page) throw notFound("No such guide");
    return c.html(
      <Layout {...meta(c, page.title)}>
        <p>
          <a href={folder ? "/docs/adr" : "/docs"}>← {folder ? "Architecture decisions" : "Guides"}</a>
        </p>
        <article class="markdown">{raw(page.html)}</article>
      </Layout>,
    );
  });
