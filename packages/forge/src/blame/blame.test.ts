// Blame by session end to end on a real forge: a file built by a plain push (with an
// intermediate commit and a merged side branch), three API sessions and a second push;
// every line is attributed to the right landing and session (goal, author, agent, position),
// the page shows it, history without a landing falls back to its commit, size and binary
// limits answer 413 and 400, hostile refs and paths 4xx, and private projects stay 404.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitEnv } from "../repos/git.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "micelio-blame-"));
const src = join(work, "src");
const git = async (...args: string[]) =>
  (
    await exec("git", args, {
      cwd: src,
      env: gitEnv({
        GIT_AUTHOR_NAME: "Ada Tester",
        GIT_AUTHOR_EMAIL: "ada@example.test",
        GIT_COMMITTER_NAME: "Ada Tester",
        GIT_COMMITTER_EMAIL: "ada@example.test",
      }),
    })
  ).stdout.trim();
const write = (name: string, text: string) => writeFileSync(join(src, name), text);
const commit = async (message: string) => {
  await git("add", "-A");
  await git("commit", "-q", "-m", message);
  return git("rev-parse", "HEAD");
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("blame by session", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let stranger: Awaited<ReturnType<typeof userWithToken>>;
  const A = "/api/v1/projects/bl/app";
  const c: Record<string, string> = {};
  const s: Record<string, { id: string; commit: string }> = {};
  const get = (path: string, token?: string) => api(f.url, "GET", path, { token });
  const page = async (path: string, token?: string) => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, text: await res.text() };
  };
  const remote = (project: string) => {
    const u = new URL(`/bl/${project}.git`, f.url);
    [u.username, u.password] = ["bl", owner.token];
    return u.toString();
  };
  const session = async (goal: string, text: string, agent?: { name: string; model: string }) => {
    const opened = await api(f.url, "POST", `${A}/sessions`, {
      token: owner.token,
      json: { goal, agent, ...(agent ? { prompt: { text: goal } } : {}) },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const changes = [{ path: "story.txt", content: b64(text) }];
    const put = await api(f.url, "PUT", `${A}/sessions/${opened.body.id}/changes`, {
      token: owner.token,
      json: { changes },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const landed = await api(f.url, "POST", `${A}/sessions/${opened.body.id}/land`, { token: owner.token });
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    return { id: opened.body.id as string, commit: landed.body.commit as string };
  };

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "bl");
    stranger = await userWithToken(f.url, "eve");
    for (const [handle, visibility] of [
      ["app", "public"],
      ["vault", "private"],
      ["imported", "public"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle, visibility },
      });
      expect(r.status).toBe(201);
    }
    // One push (landing 1): a root commit, an intermediate one, a merged side branch, a tip.
    await exec("git", ["init", "-q", "-b", "main", src]);
    write("story.txt", "one\ntwo\n");
    write("other.txt", "x\n");
    c.root = await commit("Start the story");
    write("story.txt", "one\ntwo\nthree\n");
    c.middle = await commit("Add three");
    await git("checkout", "-q", "-b", "side");
    write("story.txt", "one\ntwo\nthree\nfour\n");
    c.side = await commit("Add four on a side branch");
    await git("checkout", "-q", "main");
    await git("merge", "-q", "--no-ff", "-m", "Merge side", "side");
    write("other.txt", "y\n");
    c.tip = await commit("Touch other");
    await git("push", "-q", remote("app"), "main");
    // Three sessions (landings 2, 3, 4).
    s.opening = await session("Rewrite the opening", "ONE\ntwo\nthree\nfour\n", {
      name: "claude-code",
      model: "opus",
    });
    s.coda = await session("Append a coda", "ONE\ntwo\nthree\nfour\nfive\nsix\n");
    s.polish = await session("Polish line two", "ONE\nTWO\nthree\nfour\nfive\nsix\n", {
      name: "codex",
      model: "gpt-5",
    });
    // A second push of two commits (landing 5), on top of the landed sessions.
    await git("pull", "-q", "--ff-only", remote("app"), "main");
    write("story.txt", "ONE\nTWO\nthree\nfour\nFIVE\nsix\n");
    c.tweak = await commit("Tweak five");
    write("story.txt", "ONE\nTWO\nthree\nfour\nFIVE\nsix\nseven\n");
    c.seven = await commit("Add seven");
    await git("push", "-q", remote("app"), "main");
    // A branch that never lands, and files over the limits.
    await git("checkout", "-q", "-b", "feature/x");
    write("story.txt", "one, unlanded\nTWO\nthree\nfour\nFIVE\nsix\nseven\n");
    write("many.txt", "x\n".repeat(20_001));
    write("big.txt", `${"y".repeat(99)}\n`.repeat(11_000));
    write("bin.dat", Buffer.from([1, 0, 2, 0]).toString("latin1"));
    c.feature = await commit("Unlanded work");
    await git("push", "-q", remote("app"), "feature/x");
    await git("checkout", "-q", "main");
    await git("push", "-q", remote("vault"), "main");
  }, 240_000);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("attributes each line to the landing and session that brought it", async () => {
    const r = await get(`${A}/blame/main/story.txt`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const b = r.body;
    expect(b).toMatchObject({
      ref: "main",
      commit: c.seven,
      path: "story.txt",
      line_count: 7,
      complete: true,
    });
    const landings = (await get(`${A}/landings`)).body as {
      position: number;
      session: string;
      goal: string;
    }[];
    const implicit = (p: number) => landings.find((l) => l.position === p)!;
    expect(implicit(1).goal).toBe("Start the story");
    expect(implicit(5).goal).toBe("Tweak five");
    const expected = [
      { content: "ONE", commit: s.opening.commit, position: 2, session_id: s.opening.id },
      { content: "TWO", commit: s.polish.commit, position: 4, session_id: s.polish.id },
      { content: "three", commit: c.middle, position: 1, session_id: implicit(1).session },
      { content: "four", commit: c.side, position: 1, session_id: implicit(1).session },
      { content: "FIVE", commit: c.tweak, position: 5, session_id: implicit(5).session },
      { content: "six", commit: s.coda.commit, position: 3, session_id: s.coda.id },
      { content: "seven", commit: c.seven, position: 5, session_id: implicit(5).session },
    ];
    expect(b.lines).toEqual(
      expected.map((e, i) => ({ line: i + 1, original_line: expect.any(Number), ...e })),
    );
    expect(b.lines[5].original_line).toBe(6);
    expect(b.hunks.map((h: any) => [h.start, h.end, h.position])).toEqual([
      [1, 1, 2],
      [2, 2, 4],
      [3, 4, 1],
      [5, 5, 5],
      [6, 6, 3],
      [7, 7, 5],
    ]);
    expect(b.hunks[2].commits).toEqual([c.middle, c.side]);
    expect(b.hunks[0].landing).toMatchObject({
      position: 2,
      commit: s.opening.commit,
      session: {
        id: s.opening.id,
        goal: "Rewrite the opening",
        author: "bl",
        agent: { name: "claude-code", model: "opus" },
        origin: "ai-generated",
      },
    });
    expect(b.hunks[4].landing.session).toMatchObject({ goal: "Append a coda", author: "bl", agent: null });
    expect(b.hunks[1].landing.session.goal).toBe("Polish line two");
    expect(b.hunks[2].landing).toMatchObject({
      position: 1,
      commit: c.tip,
      session: { author: "bl", origin: "human" },
    });
    expect(b.hunks[3].landing).toMatchObject({
      position: 5,
      commit: c.seven,
      session: { goal: "Tweak five" },
    });
    expect(b.commits[c.side]).toMatchObject({
      sha: c.side,
      author: { name: "Ada Tester", email: "ada@example.test" },
      summary: "Add four on a side branch",
      path: "story.txt",
      position: 1,
    });
    const lean = await get(`${A}/blame/main/story.txt?content=false`);
    expect(lean.body.lines[0]).not.toHaveProperty("content");
    expect((await get(`${A}/blame/${c.seven}/story.txt`)).body.lines).toEqual(b.lines);
  });

  it("falls back to the commit for lines without a landing, and splits refs with slashes", async () => {
    for (const path of [`${A}/blame/feature/x/story.txt`, `${A}/blame/feature%2Fx/story.txt`]) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.body).toMatchObject({ ref: "feature/x", commit: c.feature });
      expect(r.body.lines[0]).toMatchObject({
        content: "one, unlanded",
        commit: c.feature,
        position: null,
        session_id: null,
      });
      expect(r.body.hunks[0]).toMatchObject({
        start: 1,
        end: 1,
        position: null,
        landing: null,
        commits: [c.feature],
      });
      expect(r.body.commits[c.feature]).toMatchObject({
        summary: "Unlanded work",
        author: { name: "Ada Tester" },
        position: null,
      });
      expect(r.body.lines[1]).toMatchObject({ position: 4, session_id: s.polish.id });
    }
  });

  it("falls back to commits for history imported before any landing", async () => {
    const bundle = join(work, "app.bundle");
    await git("bundle", "create", "-q", bundle, "main");
    const res = await fetch(`${f.url}/api/v1/projects/bl/imported/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/x-git-bundle" },
      body: readFileSync(bundle),
    });
    expect(res.status, await res.text()).toBe(200);
    const r = await get("/api/v1/projects/bl/imported/blame/main/story.txt");
    expect(r.status).toBe(200);
    expect(r.body.lines.every((l: any) => l.position === null && l.session_id === null)).toBe(true);
    expect(r.body.hunks.map((h: any) => h.commits[0])).toEqual([
      s.opening.commit,
      s.polish.commit,
      c.middle,
      c.side,
      c.tweak,
      s.coda.commit,
      c.seven,
    ]);
    expect(r.body.commits[c.middle]).toMatchObject({ summary: "Add three", author: { name: "Ada Tester" } });
    const html = (await page("/bl/imported/blame/main/story.txt")).text;
    expect(html).toContain(`<a class="blame-goal" href="/bl/imported/commit/${c.middle}">Add three</a>`);
    expect(html).not.toContain("/sessions/");
  });

  it("shows the blame page: goals linked to sessions, authors, agents, positions, numbered lines", async () => {
    const r = await page("/bl/app/blame/main/story.txt");
    expect(r.status).toBe(200);
    const html = r.text;
    expect(html).toContain(
      `<a class="blame-goal" href="/bl/app/sessions/${s.opening.id}">Rewrite the opening</a>`,
    );
    expect(html).toContain('<span class="badge" title="Agent">claude-code:opus</span>');
    expect(html).toContain('<span class="badge" title="Agent">codex:gpt-5</span>');
    expect(html).toContain('<span class="blame-author">bl</span>');
    expect(html).toMatch(new RegExp(`href="/bl/app/commit/${s.coda.commit}"[^>]*>#3</a>`));
    expect(html).toContain('<tr id="L7"><td class="ln"><a href="#L7">7</a></td>');
    expect(html).toContain('href="/assets/blame.css"');
    expect((await page("/assets/blame.css")).text).toContain("@media (min-width: 720px)");
    expect(html.indexOf("Rewrite the opening")).toBeLessThan(html.indexOf("Polish line two"));
    const feature = (await page("/bl/app/blame/feature/x/story.txt")).text;
    expect(feature).toContain(`<a class="blame-goal" href="/bl/app/commit/${c.feature}">Unlanded work</a>`);
    const blob = (await page("/bl/app/blob/main/story.txt")).text;
    expect(blob).toContain('href="/bl/app/blame/main/story.txt">Blame</a>');
  });

  it("refuses files over the limits, binary files, directories and missing files", async () => {
    expect((await get(`${A}/blame/feature/x/many.txt`)).status).toBe(413);
    const big = await get(`${A}/blame/feature/x/big.txt`);
    expect(big.status).toBe(413);
    expect(big.headers.get("content-type")).toContain("application/problem+json");
    expect((await get(`${A}/blame/feature/x/bin.dat`)).status).toBe(400);
    expect((await page("/bl/app/blame/feature/x/many.txt")).status).toBe(413);
    expect((await get(`${A}/blame/main/missing.txt`)).status).toBe(404);
    expect((await get(`${A}/blame/nope/story.txt`)).status).toBe(404);
    await git("checkout", "-q", "main");
  });

  it("refuses hostile refs and paths", async () => {
    const bad = [
      "main/..%2F..%2Fetc%2Fpasswd",
      "main/a/../../story.txt",
      "main/story.txt%00",
      "main/%2Fetc%2Fpasswd",
      "main/-rf",
      `--output=${encodeURIComponent(join(work, "canary"))}/story.txt`,
      "-c/story.txt",
      "main%5E/story.txt",
      "HEAD@%7B0%7D/story.txt",
      "main..feature/story.txt",
    ];
    for (const rest of bad) {
      const r = await get(`${A}/blame/${rest}`);
      expect([400, 404], `api ${rest}`).toContain(r.status);
      expect([400, 404], `page ${rest}`).toContain((await page(`/bl/app/blame/${rest}`)).status);
    }
    expect((await get(`${A}/blame/main/..%2Fstory.txt`)).status).toBe(400);
    expect((await get(`${A}/blame/main/story.txt%00x`)).status).toBe(400);
    expect((await get(`${A}/blame/main/-rf`)).status).toBe(400);
  });

  it("keeps private projects private: 404 for anonymous visitors and non-members", async () => {
    const api404 = "/api/v1/projects/bl/vault/blame/main/story.txt";
    const page404 = "/bl/vault/blame/main/story.txt";
    for (const token of [undefined, stranger.token]) {
      const r = await get(api404, token);
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ status: 404, detail: "Project not found" });
      expect(r.body).not.toHaveProperty("lines");
      const p = await page(page404, token);
      expect(p.status).toBe(404);
      expect(p.text).not.toContain("three");
    }
    expect((await get(api404, owner.token)).status).toBe(200);
    expect((await page(page404, owner.token)).status).toBe(200);
  });

  it("documents the route in the OpenAPI document", async () => {
    const doc = (await get("/api/openapi.json")).body;
    const op = doc.paths["/v1/projects/{owner}/{project}/blame/{ref}/{path}"]?.get;
    expect(op?.responses?.["200"]).toBeDefined();
    expect(op?.responses?.["413"]).toBeDefined();
    expect(doc.components.schemas.Blame).toBeDefined();
  });
});
