// The code-browsing JSON API on a real forge with a pushed repository: refs, trees (with
// last commits), files (UTF-8 or base64), paginated history, one commit with its patch;
// slashes in refs and paths raw or %2F-encoded; hostile input; private projects; and the
// OpenAPI document describing every route.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { APP_V2, buildRepo, type Fixture, PNG, pushAll } from "./test-repo.ts";

describe("code browsing API", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-browse-api-"));
  let f: TestForge;
  let fx: Fixture;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let stranger: Awaited<ReturnType<typeof userWithToken>>;
  const A = "/api/v1/projects/bo/demo";
  const get = (path: string, token?: string) => api(f.url, "GET", path, { token });

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "bo");
    stranger = await userWithToken(f.url, "eve");
    for (const [handle, visibility] of [
      ["demo", "public"],
      ["vault", "private"],
      ["blank", "public"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle, visibility },
      });
      expect(r.status).toBe(201);
    }
    fx = await buildRepo(join(work, "src"));
    for (const project of ["demo", "vault"]) {
      const u = new URL(`/bo/${project}.git`, f.url);
      [u.username, u.password] = ["bo", owner.token];
      await pushAll(fx.src, u.toString());
    }
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("lists refs with the default branch", async () => {
    const r = await get(`${A}/refs`);
    expect(r.status).toBe(200);
    expect(r.body.default_branch).toBe("main");
    expect(r.body.branches).toEqual([
      { name: "main", commit: fx.head },
      { name: "feature/x", commit: fx.feature },
    ]);
    expect(r.body.tags).toContainEqual({ name: "v1.0", commit: fx.appChange });
    const blank = await get("/api/v1/projects/bo/blank/refs");
    expect(blank.body).toEqual({ default_branch: null, branches: [], tags: [] });
  });

  it("lists trees: directories first, with last commits", async () => {
    const root = await get(`${A}/tree/main`);
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ ref: "main", commit: fx.head, path: "" });
    const entries = root.body.entries as any[];
    expect(entries.slice(0, 3).map((e) => e.name)).toEqual(["docs", "notes", "src"]);
    const readme = entries.find((e) => e.name === "README.md");
    expect(readme).toMatchObject({ type: "blob", path: "README.md", symlink: false });
    expect(readme.last_commit).toMatchObject({
      sha: fx.first,
      subject: "Initial import",
      author: "Ada Tester",
    });
    expect(entries.find((e) => e.name === "docs")).toMatchObject({ type: "tree", size: null });
    const src = await get(`${A}/tree/main/src`);
    expect(src.body.entries.map((e: any) => e.path)).toEqual(["src/app.ts", "src/long.ts"]);
    for (const path of [`${A}/tree/feature/x`, `${A}/tree/feature%2Fx`]) {
      const r = await get(path);
      expect(r.body).toMatchObject({ ref: "feature/x", commit: fx.feature, path: "" });
    }
    expect((await get(`${A}/tree/feature/x/docs`)).body.path).toBe("docs");
    expect((await get(`${A}/tree/${fx.first}/docs`)).body.entries.map((e: any) => e.name)).toEqual([
      "guide.md",
    ]);
    expect((await get(`${A}/tree/main/README.md`)).status).toBe(404);
    expect((await get(`${A}/tree/nope`)).status).toBe(404);
  });

  it("returns files as UTF-8 text or base64", async () => {
    const app = await get(`${A}/blob/main/src/app.ts`);
    expect(app.status).toBe(200);
    expect(app.body).toMatchObject({ path: "src/app.ts", encoding: "utf-8", content: APP_V2, binary: false });
    expect(app.body.size).toBe(Buffer.byteLength(APP_V2));
    expect(app.body.sha).toMatch(/^[0-9a-f]{40}$/);
    const png = await get(`${A}/blob/main/docs/logo.png`);
    expect(png.body).toMatchObject({ encoding: "base64", binary: true, size: PNG.length });
    expect(Buffer.from(png.body.content, "base64").equals(PNG)).toBe(true);
    expect((await get(`${A}/blob/v0.1/src/app.ts`)).body.content).toContain("answer = 42");
    expect((await get(`${A}/blob/feature/x/feature.txt`)).body.content).toBe("feature work\n");
    const encoded = await get(`${A}/blob/main/notes%2Fa%20b%20%C3%A9.txt`);
    expect(encoded.body).toMatchObject({ path: "notes/a b é.txt", content: "spaces and accents\n" });
    expect((await get(`${A}/blob/main/src`)).status).toBe(404);
    expect((await get(`${A}/blob/main/missing.txt`)).status).toBe(404);
  });

  it("pages through history with a Link header, optionally for one path", async () => {
    const page1 = await get(`${A}/commits?per_page=10`);
    expect(page1.status).toBe(200);
    expect(page1.body).toHaveLength(10);
    expect(page1.body[0]).toMatchObject({ sha: fx.head, subject: "Count 30", parents: [expect.any(String)] });
    expect(page1.body[0].author).toMatchObject({ name: "Ada Tester", email: "ada@example.test" });
    expect(page1.headers.get("link")).toBe(`<${A}/commits?per_page=10&page=2>; rel="next"`);
    const last = await get(`${A}/commits?per_page=10&page=4`);
    expect(last.body.map((c: any) => c.subject)).toEqual([
      "Template greeting",
      "Add assets",
      "Initial import",
    ]);
    expect(last.headers.get("link")).toBeNull();
    const app = await get(`${A}/commits?path=src/app.ts`);
    expect(app.body.map((c: any) => c.sha)).toEqual([fx.appChange, fx.first]);
    const feature = await get(`${A}/commits?ref=feature/x&per_page=1`);
    expect(feature.body[0].sha).toBe(fx.feature);
    expect((await get(`${A}/commits?ref=nope`)).status).toBe(404);
    expect((await get("/api/v1/projects/bo/blank/commits")).body).toEqual([]);
    expect((await get(`${A}/commits?per_page=1000`)).status).toBe(400);
  });

  it("shows one commit with its files and patch", async () => {
    const r = await get(`${A}/commits/${fx.appChange}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sha: fx.appChange, subject: "Template greeting", truncated: false });
    expect(r.body.stats).toEqual({ files: 1, additions: 2, deletions: 2 });
    expect(r.body.files[0]).toMatchObject({ path: "src/app.ts", status: "modified", binary: false });
    expect(r.body.files[0].patch).toContain("-export const answer = 42;");
    const assets = await get(`${A}/commits/${fx.assets.slice(0, 12)}`);
    const logo = assets.body.files.find((x: any) => x.path === "docs/logo.png");
    expect(logo).toMatchObject({ status: "added", binary: true, patch: null, additions: null });
    expect(assets.body.message).toContain("Images, a page, binary and large files.");
    expect((await get(`${A}/commits/v1.0`)).body.sha).toBe(fx.appChange);
    expect((await get(`${A}/commits/${"f".repeat(40)}`)).status).toBe(404);
  });

  it("refuses hostile refs and paths with 400", async () => {
    const bad = [
      `${A}/tree/--output%3D%2Ftmp%2Fx`,
      `${A}/tree/-x/src`,
      `${A}/tree/main/..%2F..%2Fetc`,
      `${A}/tree/main/src/..%2F..%2Fetc`,
      `${A}/blob/main/%2Fetc%2Fpasswd`,
      `${A}/blob/main/README.md%00`,
      `${A}/blob/main%5E%7B%7D/README.md`,
      `${A}/commits?ref=--all`,
      `${A}/commits?ref=main..feature`,
      `${A}/commits?path=..%2Fsecret`,
      `${A}/commits?path=%2Fetc%2Fpasswd`,
      `${A}/commits/--stat`,
      `${A}/commits/HEAD@%7B1%7D`,
    ];
    for (const path of bad) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("keeps private projects private", async () => {
    const V = "/api/v1/projects/bo/vault";
    const paths = [
      `${V}/refs`,
      `${V}/tree/main`,
      `${V}/tree/main/src`,
      `${V}/tree/feature/x/docs`,
      `${V}/blob/main/README.md`,
      `${V}/commits`,
      `${V}/commits/${fx.head}`,
      `${V}/tree/--bad`,
    ];
    for (const path of paths) {
      expect((await get(path)).status, path).toBe(404);
      expect((await get(path, stranger.token)).status, path).toBe(404);
    }
    expect((await get(`${V}/blob/main/README.md`, owner.token)).body.content).toContain("# Demo project");
  });

  it("documents every route in the OpenAPI document", async () => {
    const doc = (await get("/api/openapi.json")).body;
    for (const path of [
      "/v1/projects/{owner}/{project}/refs",
      "/v1/projects/{owner}/{project}/tree/{ref}",
      "/v1/projects/{owner}/{project}/tree/{ref}/{path}",
      "/v1/projects/{owner}/{project}/blob/{ref}/{path}",
      "/v1/projects/{owner}/{project}/commits",
      "/v1/projects/{owner}/{project}/commits/{sha}",
    ]) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
  });
});
