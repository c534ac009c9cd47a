// Ref caches across processes (ops/ref-cache-sync.ts): two forge processes on one PostgreSQL
// and one data directory; once the second has cached a project's refs (a refs listing, a tree
// page), a push and a landing through the first are seen by the second's API and pages, its
// cached refs dropped by the announcement on the bus. Without the sync the second keeps
// answering with the old trunk forever (its cache is dropped, never expired). PostgreSQL only:
// PGlite is one process.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dropSchema } from "../db/db.ts";
import { api } from "../testing/client.ts";
import { exited, type ForgeProcess, landingToken, startForgeProcess } from "../testing/forge-process.ts";
import { runGit } from "../testing/git.ts";

const URL_ = process.env.DATABASE_URL;

/** Asks until `check` holds (announcements travel through PostgreSQL's NOTIFY), at most ~10 s. */
async function eventually<T>(ask: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  let v = await ask();
  for (let i = 0; i < 100 && !check(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await ask();
  }
  return v;
}

describe.skipIf(!URL_)("ref caches across processes (needs PostgreSQL: DATABASE_URL is unset)", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-refsync-"));
  const dataDir = join(work, "data");
  const schema = `t_refsync_${randomBytes(4).toString("hex")}`;
  const env = { DATABASE_URL: URL_!, MICELIO_DATABASE_SCHEMA: schema, MICELIO_DATA_DIR: dataDir };
  const forges: ForgeProcess[] = [];
  afterAll(async () => {
    for (const f of forges) f.child.kill("SIGKILL");
    for (const f of forges) await exited(f.child);
    rmSync(work, { recursive: true, force: true });
    await dropSchema(URL_!, schema);
  });

  it("a push and a landing through one process are seen by the other's API and pages", async () => {
    const one = await startForgeProcess(env);
    forges.push(one);
    const two = await startForgeProcess(env);
    forges.push(two);
    const token = await landingToken(one.url, "refsync");
    const project = await api(one.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    expect(project.status).toBe(201);
    const path = "/api/v1/projects/refsync/app";
    const remote = new URL("/refsync/app.git", one.url);
    [remote.username, remote.password] = ["refsync", token];

    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "first.txt"), "first\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "first");
    await runGit(src, "push", "-q", remote.toString(), "main");
    const first = await runGit(src, "rev-parse", "HEAD");

    const mainOn = async (url: string) =>
      (await api(url, "GET", `${path}/refs`, { token })).body.branches?.find(
        (b: { name: string }) => b.name === "main",
      )?.commit as string | undefined;
    const page = async (url: string) => (await fetch(new URL("/refsync/app", url))).text();
    // The second process caches the refs: its listing and its page both show the first commit.
    expect(
      await eventually(
        () => mainOn(two.url),
        (c) => c === first,
      ),
    ).toBe(first);
    expect(await page(two.url)).toContain("first.txt");

    writeFileSync(join(src, "second.txt"), "second\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "second");
    await runGit(src, "push", "-q", remote.toString(), "main");
    const second = await runGit(src, "rev-parse", "HEAD");
    expect(await mainOn(one.url)).toBe(second);
    expect(
      await eventually(
        () => mainOn(two.url),
        (c) => c === second,
      ),
    ).toBe(second);
    expect(
      await eventually(
        () => page(two.url),
        (p) => p.includes("second.txt"),
      ),
    ).toContain("second.txt");

    const session = await api(one.url, "POST", `${path}/sessions`, { token, json: { goal: "add third" } });
    expect(session.status).toBe(201);
    const put = await api(one.url, "PUT", `${path}/sessions/${session.body.id}/changes`, {
      token,
      json: { changes: [{ path: "third.txt", content: Buffer.from("third\n").toString("base64") }] },
    });
    expect(put.status).toBe(200);
    const land = await api(one.url, "POST", `${path}/sessions/${session.body.id}/land`, { token });
    expect(land.status).toBe(200);
    const landed = land.body.commit as string;
    expect(landed).toMatch(/^[0-9a-f]{40}$/);
    expect(
      await eventually(
        () => mainOn(two.url),
        (c) => c === landed,
      ),
    ).toBe(landed);
    expect(
      await eventually(
        () => page(two.url),
        (p) => p.includes("third.txt"),
      ),
    ).toContain("third.txt");
  }, 120_000);
});
