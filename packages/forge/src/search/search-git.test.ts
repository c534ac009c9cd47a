// Search over real repositories: a pushed README becomes searchable (and a changed one
// replaces it), and code search with git grep — literal, regex, invalid regex, refs, limits,
// the time limit, private projects, and hostile patterns that must never be a 500.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous } from "../accounts/viewer.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { searchCode } from "./code-search.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-search-"));

describe("search over repositories", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let other: Awaited<ReturnType<typeof userWithToken>>;
  const src = join(work, "src");
  const url = (path: string) => {
    const u = new URL(path, f.url);
    [u.username, u.password] = ["searcher", owner.token];
    return u.toString();
  };
  const commitAll = async (message: string) => {
    await runGit(src, "add", "-A");
    await runGit(src, "commit", "-q", "-m", message);
  };
  const code = (project: string, query: string, token?: string) =>
    api(f.url, "GET", `/api/v1/projects/searcher/${project}/search/code?${query}`, { token });
  /** Polls project search until `check` holds for its text matches (a background job indexes READMEs). */
  /** Searches until `check` holds (the README jobs run in the background), as `token`'s owner. */
  const eventually = async (q: string, check: (names: string[]) => boolean, token?: string) => {
    let names: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await api(f.url, "GET", `/api/v1/search/projects?q=${encodeURIComponent(q)}`, { token });
      names = r.body.items.map((p: { full_name: string }) => p.full_name);
      if (check(r.body.match === "text" ? names : [])) return names;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return names;
  };

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "searcher");
    other = await userWithToken(f.url, "stranger");
    for (const [handle, visibility] of [
      ["widgets", "public"],
      ["vault", "private"],
      ["empty", "public"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle, visibility },
      });
      expect(r.status).toBe(201);
    }
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "README.md"), "# Widgets\n\nThe frobnicator turns sprockets into widgets.\n");
    mkdirSync(join(src, "lib"));
    writeFileSync(
      join(src, "lib", "main.ts"),
      [
        "export function greet(name) {",
        '  return "Hello, " + name;',
        "}",
        "const html = '<script>alert(1)</script> needle';",
        "-x starts with a dash",
        "foo(bar) and FOO(BAR) and foo(bar)",
        `const long = "${"z".repeat(1000)} needle ${"y".repeat(1000)}";`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(src, "lib", "we ird#name.txt"), "needle in an odd file\n");
    writeFileSync(
      join(src, "many.txt"),
      `${Array.from({ length: 60 }, (_, i) => `repeat line ${i}`).join("\n")}\n`,
    );
    // A line on which a nested repetition backtracks without end.
    writeFileSync(join(src, "backtrack.txt"), `${"a".repeat(5000)}!\n`);
    writeFileSync(join(src, "binary.bin"), Buffer.from([0, 1, 2, 110, 101, 101, 100, 108, 101, 0]));
    await commitAll("first");
    const before = await api(f.url, "GET", "/api/v1/search/projects?q=frobnicator", { token: owner.token });
    expect(before.body.match).toBe("similar"); // no README indexed yet: no text match
    await runGit(src, "push", "-q", url("/searcher/widgets.git"), "main");
    await runGit(src, "push", "-q", url("/searcher/vault.git"), "main");
    await runGit(src, "checkout", "-q", "-b", "feature");
    writeFileSync(join(src, "feature-only.txt"), "only on the feature branch: kumquat\n");
    await commitAll("feature");
    await runGit(src, "push", "-q", url("/searcher/widgets.git"), "feature");
    await runGit(src, "checkout", "-q", "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("makes README text searchable after a push, and follows changes to it", async () => {
    expect(await eventually("frobnicator", (n) => n.includes("searcher/widgets"))).toContain(
      "searcher/widgets",
    );
    // The private copy is indexed too (its own job), but nobody outside sees it.
    await eventually("frobnicator", (n) => n.includes("searcher/vault"), owner.token);
    const anon = await api(f.url, "GET", "/api/v1/search/projects?q=frobnicator");
    expect(anon.body.items.map((p: { full_name: string }) => p.full_name)).toEqual(["searcher/widgets"]);
    const mine = await api(f.url, "GET", "/api/v1/search/projects?q=frobnicator", { token: owner.token });
    expect(mine.body.items.map((p: { full_name: string }) => p.full_name).sort()).toEqual([
      "searcher/vault",
      "searcher/widgets",
    ]);
    writeFileSync(join(src, "README.md"), "# Widgets\n\nNow it is all about the gyroscope.\n");
    await commitAll("new readme");
    await runGit(src, "push", "-q", url("/searcher/widgets.git"), "main");
    expect(await eventually("gyroscope", (n) => n.includes("searcher/widgets"))).toContain(
      "searcher/widgets",
    );
    expect(await eventually("frobnicator", (n) => !n.includes("searcher/widgets"))).not.toContain(
      "searcher/widgets",
    );
    // A session landed through the API changes the README on trunk too.
    const base = "/api/v1/projects/searcher/widgets/sessions";
    const session = await api(f.url, "POST", base, {
      token: owner.token,
      json: { goal: "Rewrite the README" },
    });
    expect(session.status).toBe(201);
    const content = Buffer.from("# Widgets\n\nAn astrolabe for widgets.\n").toString("base64");
    const put = await api(f.url, "PUT", `${base}/${session.body.id}/changes`, {
      token: owner.token,
      json: { changes: [{ path: "README.md", content }] },
    });
    expect(put.status).toBe(200);
    expect((await api(f.url, "POST", `${base}/${session.body.id}/land`, { token: owner.token })).status).toBe(
      200,
    );
    expect(await eventually("astrolabe", (n) => n.includes("searcher/widgets"))).toContain(
      "searcher/widgets",
    );
  });

  it("finds literal text, with links to the line and the match ranges", async () => {
    const r = await code("widgets", "q=foo(bar)");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ref: "main", truncated: false, timed_out: false });
    expect(r.body.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(r.body.items).toEqual([
      {
        path: "lib/main.ts",
        line: 6,
        column: 1,
        text: "foo(bar) and FOO(BAR) and foo(bar)",
        offset: 0,
        line_truncated: false,
        line_length: 34,
        ranges: [
          [0, 8],
          [26, 34],
        ],
        url: "/searcher/widgets/blob/main/lib/main.ts#L6",
      },
    ]);
    const ci = await code("widgets", "q=foo(bar)&ignore_case=true");
    expect(ci.body.items[0].ranges).toHaveLength(3);
    const dash = await code("widgets", `q=${encodeURIComponent("-x starts")}`);
    expect(dash.body.items.map((m: { line: number }) => m.line)).toEqual([5]);
    const odd = await code("widgets", "q=odd%20file");
    expect(odd.body.items[0]).toMatchObject({
      path: "lib/we ird#name.txt",
      url: "/searcher/widgets/blob/main/lib/we%20ird%23name.txt#L1",
    });
    // Binary files are skipped.
    expect(
      (await code("widgets", "q=needle")).body.items.map((m: { path: string }) => m.path).sort(),
    ).toEqual(["lib/main.ts", "lib/main.ts", "lib/we ird#name.txt"]);
  });

  it("cuts long lines to a window around the match", async () => {
    const r = await code("widgets", "q=needle");
    const long = r.body.items.find((m: { line: number }) => m.line === 7);
    expect(long.line_truncated).toBe(true);
    expect(long.text.length).toBeLessThanOrEqual(400);
    expect(long.column).toBe(1016);
    const [start, end] = long.ranges[0];
    expect(long.text.slice(start, end)).toBe("needle");
    expect(long.offset + start + 1).toBe(long.column);
  });

  it("takes a regular expression with regex=true, and refuses an invalid one with a 400", async () => {
    const r = await code("widgets", `q=${encodeURIComponent("gre+t\\(\\w+\\)")}&regex=true`);
    expect(r.status).toBe(200);
    expect(r.body.items).toMatchObject([{ path: "lib/main.ts", line: 1, ranges: [[16, 27]] }]);
    for (const bad of ["(((", "a[", "(?<", "*x"]) {
      const b = await code("widgets", `q=${encodeURIComponent(bad)}&regex=true`);
      expect(b.status, bad).toBe(400);
      expect(b.headers.get("content-type")).toContain("application/problem+json");
      expect(b.body.detail).toMatch(/Invalid regular expression/);
      // The same text as a literal is fine.
      expect((await code("widgets", `q=${encodeURIComponent(bad)}`)).status, bad).toBe(200);
    }
  });

  it("searches another ref, and says when a ref does not exist", async () => {
    expect((await code("widgets", "q=kumquat")).body.items).toEqual([]);
    const r = await code("widgets", "q=kumquat&ref=feature");
    expect(r.body).toMatchObject({ ref: "feature", items: [{ path: "feature-only.txt", line: 1 }] });
    expect(r.body.items[0].url).toBe("/searcher/widgets/blob/feature/feature-only.txt#L1");
    expect((await code("widgets", "q=kumquat&ref=nope")).status).toBe(404);
    expect((await code("widgets", "q=kumquat&ref=..%2Fx")).status).toBe(400);
    expect((await code("widgets", "q=kumquat&ref=-x")).status).toBe(400);
    const empty = await code("empty", "q=anything");
    expect(empty.body).toEqual({ ref: null, commit: null, items: [], truncated: false, timed_out: false });
  });

  it("stops at the result limit and at the time limit, and says the answer is partial", async () => {
    const capped = await code("widgets", "q=repeat%20line&limit=10");
    expect(capped.body.items).toHaveLength(10);
    expect(capped.body.truncated).toBe(true);
    const all = await code("widgets", "q=repeat%20line");
    expect(all.body.items).toHaveLength(60);
    expect(all.body.truncated).toBe(false);
    const timed = await searchCode(f.forge, anonymous(), "searcher", "widgets", {
      q: "repeat",
      timeoutMs: 0,
    });
    expect(timed).toMatchObject({ truncated: true, timed_out: true });
  });

  it("treats a private project's code as missing to those without access", async () => {
    expect((await code("vault", "q=needle")).status).toBe(404);
    expect((await code("vault", "q=needle", other.token)).status).toBe(404);
    expect((await code("nosuch", "q=needle", owner.token)).status).toBe(404);
    const r = await code("vault", "q=needle", owner.token);
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThan(0);
    expect((await new Browser(f.url).get("/searcher/vault/search?q=needle")).status).toBe(404);
  });

  it("shows matches on the project search page, escaped and highlighted", async () => {
    const page = await new Browser(f.url).get("/searcher/widgets/search?q=needle");
    expect(page.status).toBe(200);
    expect(page.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; <mark>needle</mark>");
    expect(page.html).not.toContain("<script>alert(1)</script>");
    expect(page.html).toContain('href="/searcher/widgets/blob/main/lib/main.ts#L4"');
    const bad = await new Browser(f.url).get("/searcher/widgets/search?q=(((&regex=1");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("Invalid regular expression");
    const none = await new Browser(f.url).get("/searcher/widgets/search?q=nothing-like-this-anywhere");
    expect(none.status).toBe(200);
    expect(none.html).toContain("No lines match");
  });

  it("refuses a catastrophic regex and an oversized pattern with a 400, and keeps serving", async () => {
    for (const bad of ["(a+)+$", "(?:a|a)*$", "(a|aa)+$", "(\\w+\\s?)+$"]) {
      const r = await code("widgets", `q=${encodeURIComponent(bad)}&regex=true`);
      expect(r.status, bad).toBe(400);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.body.detail, bad).toMatch(/too much backtracking/);
    }
    for (const size of [257, 5000]) {
      const r = await code("widgets", `q=${"(a+)+".repeat(size).slice(0, size)}&regex=true`);
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe("q");
    }
    const page = await new Browser(f.url).get(
      `/searcher/widgets/search?q=${encodeURIComponent("(a+)+$")}&regex=1`,
    );
    expect(page.status).toBe(400);
    expect(page.html).toContain("too much backtracking");
    expect((await fetch(`${f.url}/health`)).status).toBe(200);
    // Normal searches on the same file are still right.
    const re = await code("widgets", `q=${encodeURIComponent("a{3}!$")}&regex=true`);
    expect(re.body.items).toMatchObject([{ path: "backtrack.txt", line: 1, column: 4998 }]);
  });

  it("never answers an arbitrary pattern with a 5xx (property)", async () => {
    const meta = fc.constantFrom(
      ..."()[]{}*+?|^$\\.-'\"&:!<>".split(""),
      "(?",
      "\\p{",
      "[[:",
      "\u0000",
      "\n",
    );
    const pattern = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.array(fc.oneof(meta, fc.string({ maxLength: 2 })), { maxLength: 12 }).map((a) => a.join("")),
    );
    await fc.assert(
      fc.asyncProperty(pattern, fc.boolean(), async (q, regex) => {
        const r = await code("widgets", `q=${encodeURIComponent(q)}&regex=${regex}`);
        expect([200, 400]).toContain(r.status);
      }),
      { numRuns: 60 },
    );
  });
});
