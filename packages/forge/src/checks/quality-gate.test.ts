// The quality gate end to end, with the real bubblewrap sandbox: trunk's checks.yml runs a
// real test command; a session that breaks it is refused (validation-failed, the failing
// step and its log) and lands once fixed; a session whose step reads the forge's data
// directory or opens a connection to the forge fails that step and changes nothing; a
// runaway step is killed at its time limit while the forge keeps answering.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { sandboxAvailability } from "../testing/sandbox-available.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-gate-"));
const b64 = (t: string) => Buffer.from(t).toString("base64");

const sandbox = await sandboxAvailability();

describe.skipIf(!sandbox.available)(`quality gate (sandbox: ${sandbox.reason})`, () => {
  let f: TestForge;
  let token: string;
  let port: number;
  const listener = createServer((s) => s.end("secret from the host\n"));
  const base = "/api/v1/projects/gate/app";

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "gate")).token;
    expect((await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } })).status).toBe(
      201,
    );
    port = await new Promise<number>((resolve) =>
      listener.listen(0, "127.0.0.1", () => resolve((listener.address() as { port: number }).port)),
    );
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    mkdirSync(join(src, ".micelio"));
    writeFileSync(
      join(src, ".micelio", "checks.yml"),
      [
        "min_score: 100",
        "steps:",
        "  - name: tests",
        "    run: sh test.sh",
        "    timeout: 3",
        "  - name: secrets",
        "    uses: secret-scan",
        "    category: security",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(src, "test.sh"),
      'echo "running the tests"\ngrep -qx ok status.txt || { echo "status.txt is not ok" >&2; exit 1; }\n[ ! -f extra.sh ] || sh extra.sh\n',
    );
    writeFileSync(join(src, "status.txt"), "ok\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "checks");
    const u = new URL("/gate/app.git", f.url);
    [u.username, u.password] = ["gate", token];
    await runGit(src, "push", "-q", u.toString(), "main");
  });
  afterAll(async () => {
    listener.close();
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
  const trunkFile = async (path: string) =>
    (await fetch(new URL(`/gate/app/raw/main/${path}`, f.url))).text();

  it("refuses a session that breaks the tests, with the step and its log, and lands the fix", async () => {
    const id = await open("Break the status");
    expect((await put(id, { "status.txt": "broken\n" })).status).toBe(200);
    const refused = await land(id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: "https://micelio.dev/problems/validation-failed",
      validation: { status: "failed", score: 50, min_score: 100, iteration: expect.any(Number) },
      failing_steps: [{ name: "tests", status: "failed", exit_code: 1 }],
    });
    expect(refused.body.failing_steps[0].log_excerpt).toContain("status.txt is not ok");
    const log = await fetch(new URL(refused.body.failing_steps[0].log_url, f.url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(log.headers.get("content-type")).toContain("text/plain");
    expect(await log.text()).toContain("running the tests");
    expect(await trunkFile("status.txt")).toBe("ok\n");
    const page = await (await fetch(new URL(`/gate/app/sessions/${id}`, f.url))).text();
    expect(page).toContain("Validation: failed");
    expect(page).toMatch(/score <strong>50<\/strong> \(needs 100\)/);
    expect(page).toContain("status.txt is not ok");
    // The feedback went back to the session's conversation too.
    const events = (await api(f.url, "GET", `${base}/sessions/${id}/events`, { token })).body;
    const said = events.filter((e: { kind: string }) => e.kind === "status");
    expect(said.at(-1)).toMatchObject({
      status: "validation.failed",
      text: expect.stringContaining("failing: tests"),
    });

    expect((await put(id, { "status.txt": "ok\n", "notes.txt": "fixed\n" })).status).toBe(200);
    const landed = await land(id);
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    const runs = (await api(f.url, "GET", `${base}/sessions/${id}/validations`, { token })).body.validations;
    expect(runs[0]).toMatchObject({ status: "passed", score: 100 });
    expect(runs.map((r: { iteration: number }) => r.iteration)).toEqual(
      [...runs.map((r: { iteration: number }) => r.iteration)].sort((a, b) => b - a),
    );
  });

  it("fails a step that reads the forge's data directory or reaches the host, and changes nothing", async () => {
    const probes: Record<string, string> = {
      data: `ls ${f.dataDir} && echo LEAKED`,
      network: `node -e "require('net').connect(${port},'127.0.0.1').on('data',d=>{console.log('LEAKED',String(d));process.exit(0)}).on('error',e=>{console.error(e.code);process.exit(1)})"`,
    };
    for (const [what, probe] of Object.entries(probes)) {
      const id = await open(`Probe ${what}`);
      expect((await put(id, { "extra.sh": `${probe}\n`, [`${what}.txt`]: "x\n" })).status).toBe(200);
      const refused = await land(id);
      expect(refused.status, what).toBe(409);
      const step = refused.body.failing_steps[0];
      expect(step.name).toBe("tests");
      expect(step.log_excerpt).not.toContain("LEAKED");
      expect((await fetch(new URL(`/gate/app/raw/main/${what}.txt`, f.url))).status).toBe(404);
    }
  });

  it("kills a runaway step at its time limit and keeps serving", async () => {
    const id = await open("Spin forever");
    expect((await put(id, { "extra.sh": "while :; do :; done\n" })).status).toBe(200);
    const landing = land(id);
    expect((await fetch(new URL("/health", f.url))).status).toBe(200);
    const refused = await landing;
    expect(refused.status).toBe(409);
    expect(refused.body.failing_steps[0]).toMatchObject({ name: "tests", killed: "timeout" });
  });
});
