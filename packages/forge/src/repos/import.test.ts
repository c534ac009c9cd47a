// Import end to end: this very repository, as a bundle upload (API and web form) and as a
// server path (administrators only), keeps every commit, branch and tag; bad bundles and
// non-empty targets are refused and leave nothing behind.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { gitEnv } from "./git.ts";

const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "micelio-import-"));
const run = async (cwd: string, ...args: string[]) =>
  (await exec("git", args, { cwd, env: gitEnv(), maxBuffer: 64 << 20 })).stdout.trim();
const OWN_REPO = join(import.meta.dirname, "..", "..", "..", "..");

describe("import", () => {
  let f: TestForge;
  let admin: Awaited<ReturnType<typeof userWithToken>>;
  let user: Awaited<ReturnType<typeof userWithToken>>;
  let bundle: string;
  let ownCount: string;

  beforeAll(async () => {
    f = await startTestForge();
    admin = await userWithToken(f.url, "boss", ["project:read", "project:write", "admin"]);
    user = await userWithToken(f.url, "importer");
    bundle = join(work, "own.bundle");
    await run(OWN_REPO, "bundle", "create", bundle, "--all");
    ownCount = await run(OWN_REPO, "rev-list", "--all", "--count");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  const upload = (path: string, token: string, body: Buffer, type = "application/x-git-bundle") =>
    fetch(`${f.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": type },
      body,
    });

  it("imports this project's own repository from a bundle and keeps every commit", async () => {
    await api(f.url, "POST", "/api/v1/projects", { token: user.token, json: { handle: "self" } });
    const r = await upload("/api/v1/projects/importer/self/import", user.token, readFileSync(bundle));
    expect(r.status).toBe(200);
    const clone = join(work, "self-clone");
    await run(work, "clone", "-q", "--mirror", `${f.url}/importer/self.git`, clone);
    expect(await run(clone, "rev-list", "--all", "--count")).toBe(ownCount);
    expect(await run(clone, "log", "--oneline", "HEAD")).toBe(
      await run(OWN_REPO, "log", "--oneline", "HEAD"),
    );
  });

  it("refuses to import into a non-empty repository, and a bundle that is not one", async () => {
    const again = await upload("/api/v1/projects/importer/self/import", user.token, readFileSync(bundle));
    expect(again.status).toBe(409);
    await api(f.url, "POST", "/api/v1/projects", { token: user.token, json: { handle: "junk" } });
    const junk = await upload(
      "/api/v1/projects/importer/junk/import",
      user.token,
      Buffer.from("not a bundle at all"),
    );
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { detail: string }).detail).toMatch(/bundle/);
    const junkProject = await api(f.url, "GET", "/api/v1/projects/importer/junk", { token: user.token });
    expect(await run(f.forge.repos.dir(junkProject.body.id), "for-each-ref")).toBe("");
  });

  it("only lets project administrators import, and only instance administrators import a server path", async () => {
    await api(f.url, "POST", "/api/v1/projects", { token: user.token, json: { handle: "frompath" } });
    const adminJunk = await upload(
      "/api/v1/projects/importer/frompath/import",
      admin.token,
      Buffer.from("x"),
    );
    expect(adminJunk.status).toBe(400);
    const other = await userWithToken(f.url, "nosy");
    // A small body: the server refuses before reading it, so a large upload would see the socket close.
    expect(
      (await upload("/api/v1/projects/importer/frompath/import", other.token, Buffer.from("x"))).status,
    ).toBe(403);
    const byPath = await api(f.url, "POST", "/api/v1/projects/importer/frompath/import", {
      token: user.token,
      json: { path: OWN_REPO },
    });
    expect(byPath.status).toBe(403);
    const asAdmin = await api(f.url, "POST", "/api/v1/projects/importer/frompath/import", {
      token: admin.token,
      json: { path: OWN_REPO },
    });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.branches).toBeGreaterThan(0);
    const relative = await api(f.url, "POST", "/api/v1/projects/importer/junk/import", {
      token: admin.token,
      json: { path: "relative/path" },
    });
    expect(relative.status).toBe(400);
  });

  it("imports from the web form, and removes the project again when the bundle is bad", async () => {
    const b = new Browser(f.url);
    await b.submit("/login", "/login", { login: "importer", password: user.password });
    const page = await b.get("/new/import");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1];
    const send = async (handle: string, content: Buffer) => {
      const form = new FormData();
      form.append("_csrf", csrf);
      form.append("owner", "importer");
      form.append("handle", handle);
      form.append("visibility", "private");
      form.append("bundle", new Blob([content]), "repo.bundle");
      return fetch(`${f.url}/new/import`, {
        method: "POST",
        headers: { cookie: b.cookieHeader, accept: "text/html" },
        body: form,
        redirect: "manual",
      });
    };
    const ok = await send("webimport", readFileSync(bundle));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/importer/webimport");
    const proj = await api(f.url, "GET", "/api/v1/projects/importer/webimport", { token: user.token });
    expect(proj.body.visibility).toBe("private");
    expect(await run(f.forge.repos.dir(proj.body.id), "rev-list", "--all", "--count")).toBe(ownCount);
    writeFileSync(join(work, "bad.bundle"), "garbage");
    const bad = await send("broken", readFileSync(join(work, "bad.bundle")));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Import failed");
    expect((await api(f.url, "GET", "/api/v1/projects/importer/broken", { token: user.token })).status).toBe(
      404,
    );
  });
});
