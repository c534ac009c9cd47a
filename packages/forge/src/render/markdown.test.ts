// Markdown rendering: hostile READMEs lose every script vector, relative links and images
// resolve inside the repository (clamped at its root), GFM tables and fences survive, and a
// property test feeds arbitrary and fragment-built sources through the whole pipeline.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderMarkdown, renderMarkdownHighlighted, slugify } from "./markdown.ts";

const opts = { linkBase: "/alice/forge/blob/main", rawBase: "/alice/forge/raw/main" };
const md = (source: string, path?: string) => renderMarkdown(source, { ...opts, path });
const DANGER = /<script|\son\w+\s*=|javascript:|vbscript:/i;

const ALLOWED_TAG_NAMES = new Set(
  (
    "h1 h2 h3 h4 h5 h6 p br hr blockquote pre code span div a img em strong b i u del s strike ins sub sup " +
    "kbd samp var mark small abbr q cite tt ruby rt rp figure figcaption ul ol li dl dt dd details summary " +
    "table caption thead tbody tfoot tr th td"
  ).split(" "),
);
const ALLOWED_ATTRS = new Set(
  "href src alt title id name rel width height align colspan rowspan start type open class".split(" "),
);

/** Checks every tag of the output against the allowlist; returns the href/src values. */
function auditTags(html: string): { hrefs: string[]; srcs: string[] } {
  const hrefs: string[] = [];
  const srcs: string[] = [];
  expect(html).not.toContain("<!");
  for (const [tag, name, rest] of html.matchAll(/<\/?([^\s/>]+)([^>]*)>/g)) {
    expect(ALLOWED_TAG_NAMES.has(name!.toLowerCase()), tag).toBe(true);
    // Attribute values are always double-quoted with < > " escaped, so blanking them leaves names.
    const attrs = rest!
      .replace(/"[^"]*"/g, '""')
      .replace(/\/$/, "")
      .trim();
    for (const token of attrs.split(/\s+/).filter(Boolean)) {
      const attr = /^([a-z]+)(="")?$/.exec(token)?.[1];
      expect(attr !== undefined && ALLOWED_ATTRS.has(attr), tag).toBe(true);
    }
    for (const [, value] of rest!.matchAll(/\shref="([^"]*)"/g)) hrefs.push(value!);
    for (const [, value] of rest!.matchAll(/\ssrc="([^"]*)"/g)) srcs.push(value!);
  }
  return { hrefs, srcs };
}

function assertSafe(html: string): void {
  expect(html).not.toMatch(DANGER);
  expect(html).not.toMatch(/<(iframe|style|object|embed|form|input|button|svg|math|meta|link|base)\b/i);
  const { hrefs, srcs } = auditTags(html);
  for (const href of hrefs) expect(href).toMatch(/^(#|\/alice\/forge\/blob\/main\/|https?:\/\/|mailto:)/);
  for (const src of srcs) expect(src).toMatch(/^(#|\/alice\/forge\/raw\/main\/|https?:\/\/)/);
}

describe("renderMarkdown: hostile input", () => {
  const attacks = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[y](JAVASCRIPT:alert(1))",
    "[z](  javascript:alert(1))",
    "[w](<  javascript:alert(1)>)",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="javascript&colon;alert(1)">colon</a>',
    '<a href="&#106;avascript:alert(1)">decimal</a>',
    "<a href=' vbscript:msgbox(1)'>vb</a>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body { display: none }</style>",
    '<div style="position:fixed;top:0">styled</div>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name="p"><button>go</button></form>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    "![d](data:image/png;base64,iVBORw0KGgo=)",
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<p onclick="alert(1)" ONMOUSEOVER=alert(1)>click</p>',
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/"><link rel="stylesheet" href="x.css">',
    "<details open ontoggle=alert(1)><summary>s</summary>d</details>",
    '<a href="https://ok.example/" onmouseover="alert(1)" style="color:red" target="_top">ok</a>',
  ];

  it("renders a README full of script vectors with none of them", () => {
    const html = md(`# Readme\n\n${attacks.join("\n\n")}\n`);
    assertSafe(html);
    expect(html).not.toMatch(/style=|<div style|onerror|onload|onclick|ontoggle/i);
    expect(html).toContain("click");
    expect(html).toContain('<a href="https://ok.example/" rel="nofollow noopener noreferrer">ok</a>');
  });

  for (const attack of attacks) {
    it(`neutralizes ${JSON.stringify(attack).slice(0, 60)}`, () => {
      assertSafe(md(attack));
      assertSafe(md(`text before\n${attack}\ntext after`));
    });
  }

  it("keeps the text of refused links, without an href", () => {
    expect(md("[x](javascript:alert(1))")).toBe("<p><a>x</a></p>\n");
    expect(md('<a href="jav&#x09;ascript:alert(1)">tab</a>')).toBe("<p><a>tab</a></p>\n");
  });

  it("keeps prose about javascript: and onclick= readable (entity-encoded, same rendering)", () => {
    expect(md("Never use javascript: URLs or a onclick= handler")).toBe(
      "<p>Never use javascript&#58; URLs or a onclick&#61; handler</p>\n",
    );
  });

  it("escapes script text that appears in code", () => {
    const html = md("`<script>alert(1)</script>`\n\n```html\n<script>alert(1)</script>\n```\n");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    assertSafe(html);
  });
});

describe("renderMarkdown: links and images", () => {
  const href = (html: string) => /href="([^"]*)"/.exec(html)?.[1];
  const src = (html: string) => /src="([^"]*)"/.exec(html)?.[1];

  it("resolves relative links from the repository root", () => {
    expect(href(md("[g](docs/guide.md)"))).toBe("/alice/forge/blob/main/docs/guide.md");
    expect(href(md("[g](./docs/guide.md#install)"))).toBe("/alice/forge/blob/main/docs/guide.md#install");
    expect(href(md("[g](/top.md)", "docs/README.md"))).toBe("/alice/forge/blob/main/top.md");
    expect(href(md("[d](docs/)"))).toBe("/alice/forge/blob/main/docs/");
  });

  it("resolves relative to the file's folder when it is in a subfolder", () => {
    expect(href(md("[x](x.md)", "docs/sub/README.md"))).toBe("/alice/forge/blob/main/docs/sub/x.md");
    expect(href(md("[y](../y.md)", "docs/sub/README.md"))).toBe("/alice/forge/blob/main/docs/y.md");
    expect(src(md("![i](img/a.png)", "docs/sub/README.md"))).toBe("/alice/forge/raw/main/docs/sub/img/a.png");
  });

  it("never climbs above the repository root", () => {
    const cases = [
      "../../../../etc/passwd",
      "%2e%2e/%2E%2E/etc/passwd",
      ".%2e/etc/passwd",
      "a/..%2f..%2f../etc/passwd",
    ];
    for (const link of cases) {
      expect(href(md(`[x](${link})`, "docs/README.md")), link).toBe("/alice/forge/blob/main/etc/passwd");
    }
    // Browsers read "\" as "/"; in markdown source "\." is an escape, so use raw HTML here.
    expect(href(md('<a href="..\\..\\..\\etc\\passwd">x</a>', "docs/README.md"))).toBe(
      "/alice/forge/blob/main/etc/passwd",
    );
    expect(src(md('<img src="../../../logo.png">', "docs/README.md"))).toBe("/alice/forge/raw/main/logo.png");
  });

  it("loads images from the raw base, for markdown and HTML images alike", () => {
    expect(src(md("![logo](img/logo.png)"))).toBe("/alice/forge/raw/main/img/logo.png");
    expect(src(md('<img src="img/logo.png" alt="l" width="40">'))).toBe("/alice/forge/raw/main/img/logo.png");
    expect(md('<img src="a.png" srcset="https://evil.example/x.png 2x">')).not.toContain("srcset");
  });

  it("keeps absolute http(s) links with rel=nofollow noopener noreferrer", () => {
    const html = md("[e](https://example.com/a?b=c) and <http://example.org>");
    expect(html).toContain('<a href="https://example.com/a?b=c" rel="nofollow noopener noreferrer">e</a>');
    expect(html).toContain('<a href="http://example.org/" rel="nofollow noopener noreferrer">');
    expect(md('<a href="//evil.example/x" rel="opener">p</a>')).toContain(
      '<a href="https://evil.example/x" rel="nofollow noopener noreferrer">p</a>',
    );
    expect(md("![ext](https://img.example/a.png)")).toContain('src="https://img.example/a.png"');
  });

  it("keeps anchors, and headings get GitHub-style ids", () => {
    const html = md(
      "[s](#getting-started)\n\n## Getting Started!\n\n## Getting Started\n\n# `code` & Ünïcode_x",
    );
    expect(href(html)).toBe("#getting-started");
    expect(html).toContain('<h2 id="getting-started">Getting Started!</h2>');
    expect(html).toContain('<h2 id="getting-started-1">Getting Started</h2>');
    expect(html).toContain('id="code--ünïcode_x"');
    expect(slugify("Hello, World? (v2.0)")).toBe("hello-world-v20");
  });

  it("allows mailto links but refuses data: and other schemes", () => {
    expect(href(md("[m](mailto:a@example.com)"))).toBe("mailto:a@example.com");
    for (const link of ["data:text/html,x", "file:///etc/passwd", "ftp://x.example/"]) {
      expect(href(md(`[x](${link})`)), link).toBeUndefined();
    }
    expect(src(md("![x](data:image/png;base64,AAAA)"))).toBeUndefined();
  });

  it("does not turn file names into links", () => {
    expect(md("see README.md")).toBe("<p>see README.md</p>\n");
  });
});

describe("renderMarkdown: GFM", () => {
  it("renders tables with alignment as attributes, not styles", () => {
    const html = md("| a | b | c |\n|:--|:-:|--:|\n| 1 | ~~2~~ | **3** |\n");
    expect(html).toContain('<th align="left">a</th>');
    expect(html).toContain('<th align="center">b</th>');
    expect(html).toContain('<td align="right"><strong>3</strong></td>');
    expect(html).toContain("<s>2</s>");
    expect(html).not.toContain("style");
  });

  it("renders fenced code escaped with a language class", () => {
    const html = md('```ts\nconst a = "<b>" && 1;\n```\n\n```\nplain\n```\n');
    expect(html).toContain(
      '<pre><code class="language-ts">const a = "&lt;b&gt;" &amp;&amp; 1;\n</code></pre>',
    );
    expect(html).toContain("<pre><code>plain\n</code></pre>");
    expect(md('```"><script>\nx\n```')).toBe("<pre><code>x\n</code></pre>\n");
  });

  it("highlights fenced code on request, through the same sanitizer", async () => {
    const html = await renderMarkdownHighlighted('# T\n\n```ts\nconst a = "<script>";\n```\n', opts);
    expect(html).toContain('<pre class="hl"><code class="language-ts"><span class="hl-c');
    expect(html).toContain("&lt;script&gt;");
    assertSafe(html);
  });

  it("shows oversized sources as escaped text", () => {
    const big = `<script>x</script>${"a".repeat(2 * 1024 * 1024)}`;
    const html = md(big);
    expect(html.startsWith("<pre>&lt;script&gt;")).toBe(true);
  });
});

describe("renderMarkdown: properties", () => {
  const fragments = [
    ...[
      "<script>",
      "</script>",
      "<scr",
      "ipt>",
      "<script/src=x>",
      "javascript:",
      "java",
      "script:",
      "vbscript:",
    ],
    ...["&#x09;", "&#9;", "&#58;", "&colon;", "&Tab;", "&NewLine;", "&#106;", "&lt;", "&", ";", "%0a", "%2e"],
    ...[
      "<img src=x onerror=alert(1)>",
      " onerror=",
      " on",
      "error",
      "load",
      "=",
      "alert(1)",
      '<a href="',
      '">',
    ],
    ...["[x](", "](", ")", "![y](", "<", ">", '"', "'", "`", "```", "\n", "\n\n", " ", "\t", "  ", "\\"],
    ...["<svg onload=alert(1)>", "<iframe>", "<!--", "-->", "<![CDATA[", "]]>", "#", "/", "../", "%"],
    ...["data:text/html,", "<style>", "<math>", "<noscript>", "<textarea>", "<x onclick=1>", "jav\tascript:"],
    ...['<div style="', "[r]: javascript:alert(1)", "[r]", "*", "_", "|", "---", "| a |\n|---|\n", "<a "],
    ...[
      "href=",
      "src=",
      "<img ",
      "/>",
      "<<script>script>",
      "ONLOAD=",
      "\u0000",
      "\u2028",
      "<details ",
      "open ",
    ],
  ];
  const fragmentSource = fc
    .array(fc.constantFrom(...fragments), { maxLength: 40 })
    .map((parts) => parts.join(""));

  it("never emits scripts, handlers or script URLs for arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => assertSafe(md(s))),
      { numRuns: 300 },
    );
  });

  it("never emits scripts, handlers or script URLs for sources built from dangerous fragments", () => {
    fc.assert(
      fc.property(fragmentSource, fc.constantFrom(undefined, "docs/a/README.md"), (s, path) => {
        assertSafe(md(s, path));
      }),
      { numRuns: 1500 },
    );
  });
});
