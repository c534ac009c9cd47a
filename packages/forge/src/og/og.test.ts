// Open Graph pictures on a real forge: pages of projects, users, organizations, sessions and
// landings name a 1200×630 PNG by content hash in og:image and twitter:image; the first
// request draws and stores it, the next ones (and concurrent first ones) do not draw again;
// a change of description, bio or avatar changes the URL, and the old URL redirects to the new one;
// a private project's pictures are 404 to anyone who may not read the project.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PNG_SIGNATURE } from "../meta/png.ts";
import { sessionApi } from "../sessions/session-pages-fixture.ts";
import { api, Browser } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { setUpRoles, WHO, type Who } from "../testing/roles.ts";
import { ogRenderCount } from "./og-render.ts";

function pngSize(png: Buffer) {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("Open Graph pictures", () => {
  let f: TestForge;
  const tokens: Partial<Record<Who, string>> = {};
  const landed: Record<string, { session: string; commit: string; position: number }> = {};
  let branchCommit = "";

  const get = async (path: string, who: Who = "anonymous") => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (tokens[who]) headers.authorization = `Bearer ${tokens[who]}`;
    const res = await fetch(path.startsWith("http") ? path : f.url + path, { headers, redirect: "manual" });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };
  /** The page's picture URL (absolute), after checking the tags that go with it. */
  const imageOf = async (page: string, who: Who = "anonymous") => {
    const r = await get(page, who);
    expect(r.status, page).toBe(200);
    const html = r.body.toString("utf8");
    const tag = (attr: string, name: string) =>
      new RegExp(`<meta ${attr}="${name}" content="([^"]*)"`).exec(html)?.[1];
    const url = tag("property", "og:image");
    expect(url, page).toMatch(new RegExp(`^${f.url}/.+/og/[0-9a-f]{32}\\.png$`));
    expect(tag("name", "twitter:image")).toBe(url);
    expect(tag("name", "twitter:card")).toBe("summary_large_image");
    expect(tag("property", "og:image:width")).toBe("1200");
    expect(tag("property", "og:image:height")).toBe("630");
    expect(tag("property", "og:image:alt")).toBeTruthy();
    return url!;
  };
  /** Fetches a picture that must be a 1200×630 PNG served as immutable. */
  const png = async (url: string, who: Who = "anonymous") => {
    const r = await get(url, who);
    expect(r.status, url).toBe(200);
    expect(r.headers.get("content-type")).toBe("image/png");
    expect(r.headers.get("cache-control")).toMatch(/max-age=31536000, immutable/);
    expect(pngSize(r.body)).toEqual({ width: 1200, height: 630 });
    return r;
  };

  beforeAll(async () => {
    f = await startTestForge();
    const roles = await setUpRoles(f.url);
    Object.assign(tokens, roles.tokens);
    const owner = roles.accounts.owner;
    const call = (method: string, path: string, json?: unknown) => roles.call("owner", method, path, json);
    for (const [handle, visibility] of [
      ["open", "public"],
      ["secret", "private"],
    ]) {
      const made = await call("POST", "/api/v1/projects", {
        handle,
        owner: "acme",
        visibility,
        description: `The ${handle} project`,
      });
      expect(made.status).toBe(201);
      const s = sessionApi(f.url, owner.token, "acme", handle);
      const opened = await s.open(`Add the ${handle} readme`, {
        agent: { name: "claude-code", model: "opus" },
        prompt: { text: `Write the ${handle} readme` },
      });
      await s.change(opened.id, { "README.md": `# ${handle}\n`, "src/main.ts": "export const x = 1;\n" });
      const l = await s.land(opened.id);
      expect(l.status, JSON.stringify(l.body)).toBe(200);
      landed[handle] = { session: opened.id, commit: l.body.commit, position: l.body.position };
    }
    // A commit on a branch of the private project: not a landing, a picture of its own.
    const work = mkdtempSync(join(tmpdir(), "micelio-og-"));
    const remote = new URL("/acme/secret.git", f.url);
    [remote.username, remote.password] = ["olivia", owner.token];
    await runGit(work, "clone", "-q", remote.toString(), "secret");
    const dir = join(work, "secret");
    await runGit(dir, "checkout", "-q", "-b", "topic");
    writeFileSync(join(dir, "topic.txt"), "topic\n");
    await runGit(dir, "add", "-A");
    await runGit(dir, "commit", "-q", "-m", "A topic commit");
    await runGit(dir, "push", "-q", "origin", "topic");
    branchCommit = await runGit(dir, "rev-parse", "HEAD");
    rmSync(work, { recursive: true, force: true });
    // Without MICELIO_LLM_URL no summary is ever asked for.
  });
  afterAll(() => f.close());

  it("a project's picture is drawn once, stored, and follows its description", async () => {
    const url = await imageOf("/acme/open");
    expect(url).toMatch(/\/acme\/open\/og\/[0-9a-f]{32}\.png$/);
    const count = ogRenderCount();
    const first = await png(url);
    expect(first.headers.get("cache-control")).toMatch(/^public/);
    expect(ogRenderCount()).toBe(count + 1);
    const hash = /([0-9a-f]{32})\.png$/.exec(url)![1]!;
    expect(await f.forge.objects.has(`og/project/${hash}.png`)).toBe(true);
    const second = await png(url);
    expect(ogRenderCount()).toBe(count + 1);
    expect(second.body.equals(first.body)).toBe(true);

    const edit = await api(f.url, "PATCH", "/api/v1/projects/acme/open", {
      token: tokens.owner,
      json: { description: "Now with a new description" },
    });
    expect(edit.status).toBe(200);
    const next = await imageOf("/acme/open");
    expect(next).not.toBe(url);
    // Concurrent first requests share one drawing.
    const all = await Promise.all([png(next), png(next), png(next)]);
    expect(ogRenderCount()).toBe(count + 2);
    expect(all[0]!.body.equals(first.body)).toBe(false);
    expect(all[1]!.body.equals(all[0]!.body)).toBe(true);
    // The old URL sends crawlers to the current picture, without caching the redirect.
    const old = await get(url);
    expect(old.status).toBe(302);
    expect(f.url + old.headers.get("location")).toBe(next);
    expect(old.headers.get("cache-control")).toBe("no-cache");
    expect((await get("/acme/open/og/not-a-hash.png")).status).toBe(404);
    expect((await get("/acme/nothing/og/0123456789abcdef0123456789abcdef.png")).status).toBe(404);
  });

  it("users and organizations have pictures that follow their profile", async () => {
    const url = await imageOf("/olivia");
    expect(url).toMatch(/\/olivia\/og\/[0-9a-f]{32}\.png$/);
    const count = ogRenderCount();
    await png(url);
    await png(url);
    expect(ogRenderCount()).toBe(count + 1);
    const edit = await api(f.url, "PATCH", "/api/v1/user", {
      token: tokens.owner,
      json: { bio: "Gardener of forks" },
    });
    expect(edit.status).toBe(200);
    const next = await imageOf("/olivia");
    expect(next).not.toBe(url);
    const withBio = await png(next);
    expect((await get(url)).status).toBe(302);
    // An uploaded avatar replaces the identicon, and the picture with it.
    const red = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c00" } })
      .png()
      .toBuffer();
    const b = new Browser(f.url);
    expect(
      (await b.submit("/login", "/login", { login: "olivia", password: "pw-olivia-secret" })).status,
    ).toBe(303);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get("/settings/profile")).html)?.[1] ?? "";
    const form = new FormData();
    form.append("_csrf", csrf);
    form.append("avatar", new Blob([new Uint8Array(red)], { type: "image/png" }), "red.png");
    const res = await fetch(`${f.url}/settings/profile/avatar`, {
      method: "POST",
      headers: { cookie: b.cookieHeader, accept: "text/html" },
      body: form,
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const withAvatar = await imageOf("/olivia");
    expect(withAvatar).not.toBe(next);
    expect((await png(withAvatar)).body.equals(withBio.body)).toBe(false);
    await png(await imageOf("/acme"));
    expect((await get("/nobody/og/0123456789abcdef0123456789abcdef.png")).status).toBe(404);
  });

  it("sessions and landings have pictures", async () => {
    const { session, commit, position } = landed.open!;
    const sessionUrl = await imageOf(`/acme/open/sessions/${session}`);
    expect(sessionUrl).toContain(`/acme/open/sessions/${session}/og/`);
    const count = ogRenderCount();
    await png(sessionUrl);
    await png(sessionUrl);
    expect(ogRenderCount()).toBe(count + 1);

    const landingUrl = await imageOf(`/acme/open/commit/${commit}`);
    expect(landingUrl).toContain(`/acme/open/landings/${position}/og/`);
    await png(landingUrl);
    await png(landingUrl);
    expect(ogRenderCount()).toBe(count + 2);
    expect((await get(`/acme/open/landings/99/og/0123456789abcdef0123456789abcdef.png`)).status).toBe(404);
    // No LLM configured: no summary job was ever enqueued.
    const jobs = await f.forge.db
      .selectFrom("jobs")
      .select("id")
      .where("kind", "=", "change.summarize")
      .execute();
    expect(jobs).toHaveLength(0);
  });

  it("a private project's pictures are 404 to whoever may not read it", async () => {
    const { session, commit } = landed.secret!;
    const pictures = [
      await imageOf("/acme/secret", "owner"),
      await imageOf(`/acme/secret/sessions/${session}`, "owner"),
      await imageOf(`/acme/secret/commit/${commit}`, "owner"),
      await imageOf(`/acme/secret/commit/${branchCommit}`, "owner"),
    ];
    expect(pictures[3]).toContain(`/acme/secret/commit/${branchCommit}/og/`);
    const stale = pictures.map((u) =>
      u.replace(/[0-9a-f]{32}\.png$/, "0123456789abcdef0123456789abcdef.png"),
    );
    for (const who of WHO) {
      const allowed = who === "member" || who === "owner" || who === "admin";
      for (const url of pictures) {
        const r = await get(url, who);
        expect(r.status, `${who} ${url}`).toBe(allowed ? 200 : 404);
        if (allowed) {
          expect(pngSize(r.body)).toEqual({ width: 1200, height: 630 });
          expect(r.headers.get("cache-control")).toMatch(/^private/);
        }
      }
      for (const url of stale)
        expect((await get(url, who)).status, `${who} ${url}`).toBe(allowed ? 302 : 404);
    }
  });
});
