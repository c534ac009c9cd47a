// The contribution graph and activity feed on a real forge: a user's landings, a plain push
// and the projects they created are counted exactly; private projects (personal and an
// organization's) show only to those who can read them — anonymous visitors, another user,
// an organization member, the owner and an administrator each see their own view; the feed
// pages 20 at a time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;
const b64 = (s: string) => Buffer.from(s).toString("base64");
const today = () => new Date().toISOString().slice(0, 10);

describe("activity graph and feed", () => {
  let f: TestForge;
  let admin: User;
  let alice: User;
  let bob: User;
  let carol: User;

  const page = async (path: string, token?: string) => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, html: await res.text() };
  };
  /** The feed section only, so that failures print something readable. */
  const feedOf = (html: string) => html.slice(html.indexOf('<section class="feed"'));
  const todayCount = (html: string) => {
    const m = new RegExp(`data-date="${today()}" data-count="(\\d+)"`).exec(html);
    return m ? Number(m[1]) : Number.NaN;
  };
  const project = async (token: string, handle: string, visibility: string, owner?: string) => {
    const r = await api(f.url, "POST", "/api/v1/projects", { token, json: { handle, visibility, owner } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const land = async (token: string, full: string, goal: string) => {
    const base = `/api/v1/projects/${full}`;
    const s = await api(f.url, "POST", `${base}/sessions`, { token, json: { goal } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const changes = [{ path: `${goal.replace(/\W+/g, "-")}.txt`, content: b64(goal) }];
    expect(
      (await api(f.url, "PUT", `${base}/sessions/${s.body.id}/changes`, { token, json: { changes } })).status,
    ).toBe(200);
    const l = await api(f.url, "POST", `${base}/sessions/${s.body.id}/land`, { token });
    expect(l.status, JSON.stringify(l.body)).toBe(200);
  };

  beforeAll(async () => {
    f = await startTestForge();
    admin = await userWithToken(f.url, "ada", ["project:read", "project:write", "session:write", "admin"]);
    alice = await userWithToken(f.url, "alice");
    bob = await userWithToken(f.url, "bob");
    carol = await userWithToken(f.url, "carol");
    expect(
      (await api(f.url, "POST", "/api/v1/orgs", { token: alice.token, json: { handle: "team" } })).status,
    ).toBe(201);
    const added = await api(f.url, "PUT", "/api/v1/orgs/team/members/bob", {
      token: alice.token,
      json: { role: "member" },
    });
    expect(added.status).toBeLessThan(300);

    await project(alice.token, "pub", "public");
    await project(alice.token, "secret", "private");
    await project(alice.token, "hidden", "private", "team");
    // A plain push of two commits to the public project: one push (one implicit session).
    const work = mkdtempSync(join(tmpdir(), "micelio-activity-"));
    await runGit(work, "init", "-q", "-b", "main");
    writeFileSync(join(work, "a.txt"), "a\n");
    await runGit(work, "add", "-A");
    await runGit(work, "commit", "-q", "-m", "first pushed commit");
    writeFileSync(join(work, "b.txt"), "b\n");
    await runGit(work, "add", "-A");
    await runGit(work, "commit", "-q", "-m", "first pushed commit");
    const remote = new URL("/alice/pub.git", f.url);
    [remote.username, remote.password] = ["alice", alice.token];
    await runGit(work, "push", "-q", remote.toString(), "main");
    await land(alice.token, "alice/pub", "Public landing one");
    await land(alice.token, "alice/pub", "Public landing two");
    await land(alice.token, "alice/secret", "Secret landing");
    await land(alice.token, "team/hidden", "Team landing");
  });
  afterAll(() => f.close());

  it("counts every landing, push and project for the owner and an administrator", async () => {
    // 3 projects created + 4 landings + 1 push.
    for (const token of [alice.token, admin.token]) {
      const full = (await page("/alice", token)).html;
      expect(todayCount(full)).toBe(8);
      expect(full).toContain(`aria-label="8 contributions on ${today()}"`);
      expect(full).toContain("8 contributions in the last year");
      const html = feedOf(full);
      for (const text of [
        "Secret landing",
        "Team landing",
        "Public landing two",
        "Pushed to",
        "alice/secret",
        "team/hidden",
      ]) {
        expect(html).toContain(text);
      }
    }
  });

  it("shows others only what they may read: anonymous and another user see public work, a member sees the team's", async () => {
    for (const token of [undefined, carol.token]) {
      const full = (await page("/alice", token)).html;
      expect(todayCount(full)).toBe(4); // pub created, two landings, one push
      for (const text of ["alice/secret", "team/hidden"]) expect(full.includes(text), text).toBe(false);
      const html = feedOf(full);
      for (const text of ["Public landing one", "Public landing two", "Pushed to", "first pushed commit"]) {
        expect(html).toContain(text);
      }
      for (const text of ["Secret landing", "Team landing"]) expect(html).not.toContain(text);
    }
    const memberFull = (await page("/alice", bob.token)).html;
    expect(todayCount(memberFull)).toBe(6);
    const member = feedOf(memberFull); // + team/hidden created and its landing
    expect(member).toContain("Team landing");
    expect(member).not.toContain("Secret landing");
    // The organization's own page: its private project's activity only for members.
    expect(todayCount((await page("/team", carol.token)).html)).toBe(0);
    expect(todayCount((await page("/team", bob.token)).html)).toBe(2);
    // A day with nothing is labelled too.
    expect((await page("/alice")).html).toMatch(/aria-label="No contributions on \d{4}-\d{2}-\d{2}"/);
  });

  it("lists the feed newest first", async () => {
    const html = feedOf((await page("/alice", alice.token)).html);
    const order = [
      "Team landing",
      "Secret landing",
      "Public landing two",
      "Public landing one",
      "Pushed to",
      "Created",
    ].map((t) => html.indexOf(t));
    expect(
      order.every((i) => i > 0),
      JSON.stringify(order),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("counts stars given, shown only where the starred project is visible", async () => {
    const erin = await userWithToken(f.url, "erin");
    await project(alice.token, "starry", "public");
    for (const full of ["alice/starry", "alice/pub"]) {
      const r = await api(f.url, "PUT", `/api/v1/user/starred/${full}`, { token: erin.token });
      expect(r.status).toBe(204);
    }
    const own = (await page("/erin", erin.token)).html;
    expect(todayCount(own)).toBe(2);
    expect(feedOf(own)).toContain('Starred <a href="/alice/starry"');
    await api(f.url, "PATCH", "/api/v1/projects/alice/starry", {
      token: alice.token,
      json: { visibility: "private" },
    });
    const seen = (await page("/erin", carol.token)).html;
    expect(todayCount(seen)).toBe(1);
    expect(feedOf(seen)).not.toContain("alice/starry");
  });

  it("pages the feed 20 at a time with older and newer links", async () => {
    const dave = await userWithToken(f.url, "dave");
    for (let i = 1; i <= 22; i++) await project(dave.token, `p${String(i).padStart(2, "0")}`, "public");
    const first = feedOf((await page("/dave")).html);
    expect(first.match(/class="feed-item /g)?.length).toBe(20);
    expect(first).toContain('href="/dave/p22"');
    expect(first).not.toContain('href="/dave/p02"');
    expect(first).toContain('href="/dave?page=1#activity"');
    const second = feedOf((await page("/dave?page=1")).html);
    expect(second.match(/class="feed-item /g)?.length).toBe(2);
    expect(second).toContain('href="/dave/p01"');
    expect(second).toContain('href="/dave#activity"');
    expect(second).not.toContain("?page=2");
    expect((await page("/dave?page=abc")).status).toBe(200);
  });
});
