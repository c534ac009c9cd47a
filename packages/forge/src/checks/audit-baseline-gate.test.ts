// The dependency audit and the performance baseline end to end, with the real sandbox: an
// administrator imports an advisory; a session locking a vulnerable version is refused with
// the advisory in the step's log; the first benchmark run sets the baseline, a session that
// regresses past the tolerance is refused with value against baseline, one within it lands;
// coverage comes back with its change from trunk in the API and on the session page.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { sandboxAvailability } from "../testing/sandbox-available.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-audit-gate-"));
const b64 = (t: string) => Buffer.from(t).toString("base64");
const sandbox = await sandboxAvailability();
const lock = (lodash: string) =>
  `${JSON.stringify({ lockfileVersion: 3, packages: { "": { name: "app" }, "node_modules/lodash": { version: lodash } } }, null, 2)}\n`;
type Step = { name: string; status: string; log_excerpt: string; [k: string]: unknown };

describe.skipIf(!sandbox.available)(`dependency audit and baselines (sandbox: ${sandbox.reason})`, () => {
  let f: TestForge;
  let token: string;
  const base = "/api/v1/projects/ops/app";

  beforeAll(async () => {
    f = await startTestForge();
    // The first account administers the instance.
    token = (await userWithToken(f.url, "ops", ["project:read", "project:write", "session:write", "admin"]))
      .token;
    expect((await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } })).status).toBe(
      201,
    );
    const advisory = {
      id: "GHSA-35jh-r3h4-6jhm",
      summary: "Command Injection in lodash",
      database_specific: { severity: "HIGH" },
      affected: [
        {
          package: { ecosystem: "npm", name: "lodash" },
          ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "4.17.21" }] }],
        },
      ],
    };
    expect((await api(f.url, "POST", "/api/v1/admin/advisories", { token, json: [advisory] })).status).toBe(
      200,
    );
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    const files: Record<string, string> = {
      ".micelio/checks.yml": [
        "min_score: 100",
        "steps:",
        "  - {name: deps, uses: dependency-audit, category: security}",
        "  - name: bench",
        '    run: \'echo "::metric ms=$(cat ms.txt)"; echo "::metric runs=3"\'',
        "    category: performance",
        "    baseline: {metric: ms, direction: lower, tolerance: 10}",
        "  - {name: tests, run: 'echo \"::coverage percent=$(cat cov.txt)\"'}",
        "",
      ].join("\n"),
      "package-lock.json": lock("4.17.21"),
      "ms.txt": "100\n",
      "cov.txt": "80\n",
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), content);
    }
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "checks");
    const u = new URL("/ops/app.git", f.url);
    [u.username, u.password] = ["ops", token];
    await runGit(src, "push", "-q", u.toString(), "main");
  });
  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const open = async (goal: string) =>
    (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal } })).body.id as string;
  const put = (id: string, files: Record<string, string>) =>
    api(f.url, "PUT", `${base}/sessions/${id}/changes`, {
      token,
      json: { changes: Object.entries(files).map(([path, content]) => ({ path, content: b64(content) })) },
    });
  const land = (id: string) => api(f.url, "POST", `${base}/sessions/${id}/land`, { token });
  const steps = async (id: string): Promise<Record<string, Step>> => {
    const runs = (await api(f.url, "GET", `${base}/sessions/${id}/validations`, { token })).body.validations;
    return Object.fromEntries(runs[0].steps.map((s: Step) => [s.name, s]));
  };

  it("sets the first baseline and coverage with a first landing", async () => {
    const id = await open("Notes");
    expect((await put(id, { "notes.txt": "hello\n" })).status).toBe(200);
    const landed = await land(id);
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    const s = await steps(id);
    expect(s.deps).toMatchObject({ status: "passed" });
    expect(s.deps!.log_excerpt).toContain("no known advisories affect the 1 locked versions");
    expect(s.bench).toMatchObject({
      status: "passed",
      metrics: { ms: 100, runs: 3 },
      baseline: { metric: "ms", value: 100, baseline: null, change: null, regressed: false },
    });
    expect(s.bench!.log_excerpt).toContain("sets the first baseline");
    expect(s.tests).toMatchObject({ status: "passed", coverage: 80, coverage_delta: null });
  });

  it("refuses a session that locks a vulnerable version, naming the advisory and the fix", async () => {
    const id = await open("Downgrade lodash");
    expect((await put(id, { "package-lock.json": lock("4.17.20") })).status).toBe(200);
    const refused = await land(id);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe("https://micelio.dev/problems/validation-failed");
    const deps = refused.body.failing_steps.find((s: Step) => s.name === "deps");
    expect(deps).toMatchObject({ status: "failed", category: "security" });
    expect(deps.log_excerpt).toContain(
      "package-lock.json: lodash 4.17.20 is affected by GHSA-35jh-r3h4-6jhm (HIGH): Command Injection in lodash; fixed in 4.17.21",
    );
    expect(refused.body.failing_steps.map((s: Step) => s.name)).toEqual(["deps"]);
  });

  it("refuses a benchmark regressing past its tolerance, lands one within it, and shows coverage's change", async () => {
    const id = await open("Slower");
    expect((await put(id, { "ms.txt": "150\n", "cov.txt": "82.5\n" })).status).toBe(200);
    const refused = await land(id);
    expect(refused.status).toBe(409);
    const bench = refused.body.failing_steps.find((s: Step) => s.name === "bench");
    expect(bench.log_excerpt).toContain(
      "ms: 150 vs baseline 100 (+50%): worse than trunk by more than the 10% tolerance (lower is better)",
    );
    expect(bench.baseline).toMatchObject({ value: 150, baseline: 100, change: 50, regressed: true });
    const s = await steps(id);
    expect(s.tests).toMatchObject({ status: "passed", coverage: 82.5, coverage_delta: 2.5 });
    const page = await (await fetch(new URL(`/ops/app/sessions/${id}`, f.url))).text();
    expect(page).toContain("ms 150 vs baseline 100 (+50%)");
    expect(page).toContain("coverage 82.5% (+2.5 vs trunk)");

    expect((await put(id, { "ms.txt": "108\n" })).status).toBe(200);
    const landed = await land(id);
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    expect((await steps(id)).bench).toMatchObject({
      status: "passed",
      baseline: { value: 108, baseline: 100, change: 8, regressed: false },
    });
    // The landed session's value is trunk's baseline from now on.
    const next = await open("Same speed");
    expect((await put(next, { "ms.txt": "100\n" })).status).toBe(200);
    expect((await land(next)).status).toBe(200);
    expect((await steps(next)).bench).toMatchObject({ baseline: { value: 100, baseline: 108 } });
  });
});
