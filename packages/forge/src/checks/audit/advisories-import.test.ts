// Importing advisories and auditing with them: the admin API route exists only for
// administrators with the admin scope (404 to anyone else, as every /admin route), refuses
// invalid OSV with each record named, and replaces a record re-imported under its id; the
// CLI imports files, names what it refuses and exits 1 for it; the audit of a real
// repository's lockfiles then names the vulnerable locked versions and their fixes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitRepo } from "../../repos/git-layer/git-repo.ts";
import { api, userWithToken } from "../../testing/client.ts";
import { testDatabase } from "../../testing/database.ts";
import { startTestForge, type TestForge } from "../../testing/forge.ts";
import { runGit } from "../../testing/git.ts";
import { advisoriesCommand } from "./advisories-cli.ts";
import { advisoryCount } from "./advisory-store.ts";
import { auditTree } from "./dependency-audit.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-advisories-"));
const osv = (id: string, name: string, fixed: string, ecosystem = "npm") => ({
  id,
  summary: `${name} is vulnerable`,
  database_specific: { severity: "HIGH" },
  affected: [
    { package: { ecosystem, name }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed }] }] },
  ],
});

describe("advisories", () => {
  let f: TestForge;
  let admin: string;
  let adminPlain: string;
  let user: string;
  const post = (token: string | undefined, json: unknown) =>
    api(f.url, "POST", "/api/v1/admin/advisories", { token, json });

  beforeAll(async () => {
    f = await startTestForge();
    const ada = await userWithToken(f.url, "ada", ["project:read", "admin"]);
    admin = ada.token;
    adminPlain = (
      await api(f.url, "POST", "/api/v1/tokens", {
        basic: ["ada", ada.password],
        json: { name: "plain", scopes: ["project:read"] },
      })
    ).body.token;
    user = (await userWithToken(f.url, "sam")).token; // a user, not an administrator
  });
  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("is for administrators with the admin scope only", async () => {
    for (const token of [undefined, user, adminPlain]) {
      const r = await post(token, osv("GHSA-1", "left-pad", "1.3.0"));
      expect(r.status, token ?? "anonymous").toBe(404);
    }
    expect(await advisoryCount(f.forge.db)).toBe(0);
    const r = await post(admin, [osv("GHSA-1", "left-pad", "1.3.0"), osv("GHSA-2", "ms", "2.0.0")]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ imported: 2, total: 2 });
    const audit = await f.forge.db.selectFrom("audit_log").select(["action", "target"]).execute();
    expect(audit).toContainEqual({ action: "advisories.import", target: "2 advisories" });
  });

  it("refuses invalid records by position and id, importing none of the request", async () => {
    const r = await post(admin, [
      osv("GHSA-3", "qs", "6.0.0"),
      { id: "GHSA-4", affected: "no" },
      { summary: "x" },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.type).toContain("/problems/");
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(["1 (GHSA-4)", "2"]);
    expect(await advisoryCount(f.forge.db)).toBe(2);
    expect((await post(admin, [])).status).toBe(400);
  });

  it("imports files from the command line, naming what it refuses", async () => {
    const { handle, cleanup } = await testDatabase();
    writeFileSync(join(work, "one.json"), JSON.stringify(osv("RUSTSEC-1", "smallvec", "1.6.1", "crates.io")));
    writeFileSync(
      join(work, "many.json"),
      JSON.stringify({ vulns: [osv("GHSA-5", "lodash", "4.17.21"), { id: "bad id" }] }),
    );
    writeFileSync(join(work, "broken.json"), "{");
    const out: string[] = [];
    const err: string[] = [];
    // The command closes what it opens: here the test's database, closed by its cleanup.
    const open = async () => ({ ...handle, close: async () => {} });
    const io = { open, out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    expect(await advisoriesCommand(["import"], io)).toBe(2);
    const code = await advisoriesCommand(
      ["import", join(work, "one.json"), join(work, "many.json"), join(work, "broken.json")],
      io,
    );
    expect(code).toBe(1);
    expect(out.join("")).toBe("imported 2 advisories (2 on this forge)\n");
    expect(err.join("")).toMatch(/many\.json: record 1 \(bad id\): id: /);
    expect(err.join("")).toContain("broken.json: ");
    await cleanup();
  });

  it("audits a real repository's lockfiles against the imported advisories", async () => {
    await post(admin, osv("GHSA-6", "lodash", "4.17.21"));
    const src = join(work, "repo");
    await runGit(work, "init", "-q", "-b", "main", src);
    mkdirSync(join(src, "web"));
    const lock = {
      lockfileVersion: 3,
      packages: {
        "": {},
        "node_modules/lodash": { version: "4.17.20" },
        "node_modules/ms": { version: "2.1.0" },
      },
    };
    writeFileSync(join(src, "web", "package-lock.json"), JSON.stringify(lock));
    writeFileSync(join(src, "requirements.txt"), "flask>=2\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "deps");
    const repo = new GitRepo(join(src, ".git"));
    const tree = (await repo.readCommit((await repo.resolveCommit("HEAD"))!)).tree;
    const found = await auditTree(f.forge.db, repo, repo, tree);
    expect(found.status).toBe("failed");
    expect(found.log).toContain(
      "web/package-lock.json: lodash 4.17.20 is affected by GHSA-6 (HIGH): lodash is vulnerable; fixed in 4.17.21",
    );
    expect(found.log).toContain("requirements.txt: 0 locked packages");
    expect(found.log).not.toContain(" ms 2.1.0 is affected");
    writeFileSync(
      join(src, "web", "package-lock.json"),
      JSON.stringify({
        ...lock,
        packages: { ...lock.packages, "node_modules/lodash": { version: "4.17.21" } },
      }),
    );
    await runGit(src, "commit", "-qam", "fix");
    const fixed = (await repo.readCommit((await repo.resolveCommit("HEAD"))!)).tree;
    expect(await auditTree(f.forge.db, repo, repo, fixed)).toMatchObject({ status: "passed" });
    await runGit(src, "rm", "-rq", "web", "requirements.txt");
    await runGit(src, "commit", "-qm", "none");
    const none = (await repo.readCommit((await repo.resolveCommit("HEAD"))!)).tree;
    expect((await auditTree(f.forge.db, repo, repo, none)).log).toContain("no lockfile");
    repo.close();
  });
});
