// The checks.yml gate on a real forge with a real git client: a push that makes trunk's
// .micelio/checks.yml invalid is refused with line, column and a machine-readable problem;
// a valid one is accepted; a branch other than trunk is not gated. A session that changes
// the file into an invalid one does not land (same problem), and lands once fixed.
// /schemas/checks.json serves the schema the gate checks with.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";
import { sandboxAvailability } from "../testing/sandbox-available.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-checks-push-"));
const sandbox = await sandboxAvailability();

describe("checks.yml on push", () => {
  let f: TestForge;
  let remote: string;
  const src = join(work, "src");

  beforeAll(async () => {
    f = await startTestForge();
    const owner = await userWithToken(f.url, "checker");
    const made = await api(f.url, "POST", "/api/v1/projects", {
      token: owner.token,
      json: { handle: "gated", visibility: "public" },
    });
    expect(made.status).toBe(201);
    const u = new URL("/checker/gated.git", f.url);
    [u.username, u.password] = ["checker", owner.token];
    remote = u.toString();
    await runGit(work, "init", "-q", "-b", "main", src);
    mkdirSync(join(src, ".micelio"));
  });
  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const commit = async (config: string, message: string) => {
    writeFileSync(join(src, ".micelio", "checks.yml"), config);
    writeFileSync(join(src, "README.md"), `# ${message}\n`);
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", message);
  };

  it("accepts a valid config on trunk", async () => {
    await commit("min_score: 80\nsteps:\n  - name: tests\n    run: npm test\n    weight: 2\n", "valid");
    expect(await tryGit(src, "push", "-q", remote, "main")).toMatchObject({ ok: true });
    const page = await (await fetch(new URL("/checker/gated", f.url))).text();
    expect(page).toMatch(
      /Quality gate \(<a[^>]*>\.micelio\/checks\.yml<\/a>\): 1 step \(tests\), minimum score 80/,
    );
  });

  it("refuses a push that makes trunk's config invalid, saying where and why", async () => {
    await commit(
      "min_score: 80\nsteps:\n  - name: tests\n    run: npm test\n    category: unit\n",
      "invalid",
    );
    const refused = await tryGit(src, "push", "-q", remote, "main");
    expect(refused.ok).toBe(false);
    expect(refused.out).toContain("push refused, .micelio/checks.yml on main would not be valid");
    expect(refused.out).toMatch(/\.micelio\/checks\.yml:5:15: steps\.0\.category: Invalid option/);
    const problem = JSON.parse(refused.out.match(/Micelio-Problem: (\{.*\})/)?.[1] ?? "null");
    expect(problem).toMatchObject({
      type: "https://micelio.dev/problems/invalid-checks-config",
      status: 400,
      config_errors: [{ path: "steps.0.category", line: 5, column: 15 }],
    });
    const heads = await tryGit(src, "ls-remote", "--heads", remote);
    expect(heads.out).not.toContain((await runGit(src, "rev-parse", "HEAD")).trim());
  });

  it("does not gate other branches, and takes the fix on trunk", async () => {
    expect(await tryGit(src, "push", "-q", remote, "main:wip")).toMatchObject({ ok: true });
    await commit("min_score: 80\nsteps:\n  - name: tests\n    run: 'true'\n    category: test\n", "fixed");
    expect(await tryGit(src, "push", "-q", remote, "main")).toMatchObject({ ok: true });
  });

  it.skipIf(!sandbox.available)(
    "does not land a session that makes the config invalid, and lands it once fixed",
    async () => {
      const base = "/api/v1/projects/checker/gated";
      const token = new URL(remote).password;
      const b64 = (t: string) => Buffer.from(t).toString("base64");
      const s = (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: "Tighten checks" } }))
        .body;
      const put = (config: string) =>
        api(f.url, "PUT", `${base}/sessions/${s.id}/changes`, {
          token,
          json: { changes: [{ path: ".micelio/checks.yml", content: b64(config) }] },
        });
      expect((await put("min_score: 101\nsteps:\n  - {name: tests, run: 'true'}\n")).status).toBe(200);
      const refused = await api(f.url, "POST", `${base}/sessions/${s.id}/land`, { token });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        type: "https://micelio.dev/problems/invalid-checks-config",
        config_errors: [{ path: "min_score", line: 1, column: 12 }],
      });
      expect((await put("min_score: 100\nsteps:\n  - {name: tests, run: 'true'}\n")).status).toBe(200);
      const landed = await api(f.url, "POST", `${base}/sessions/${s.id}/land`, { token });
      expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    },
  );

  it("serves the JSON Schema the gate checks with", async () => {
    const res = await fetch(new URL("/schemas/checks.json", f.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/schema+json");
    const schema = (await res.json()) as any;
    expect(schema.$id).toBe(new URL("/schemas/checks.json", f.url).toString());
    expect(schema.required).toEqual(["steps"]);
    expect(schema.properties.steps.items.properties.category.enum).toEqual([
      "test",
      "lint",
      "types",
      "style",
      "security",
      "performance",
    ]);
    expect(schema.additionalProperties).toBe(false);
    const step = schema.properties.steps.items.properties;
    expect(step.uses.enum).toEqual(["secret-scan", "dependency-audit"]);
    expect(step.baseline.properties.direction.enum).toEqual(["higher", "lower"]);
    expect(step.baseline.required).toEqual(["metric", "direction"]);
  });
});
