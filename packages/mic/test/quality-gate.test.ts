// The quality gate through mic, against a real forge with the real sandbox: a landing that
// breaks the project's checks exits 8, names the failing step with the end of its log (and
// carries validation and failing_steps in --json); the fix lands.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { sandboxAvailability } from "@micelio/forge/testing/sandbox-available";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-gate-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config") });
const json = (r: { stdout: string; stderr: string; status: number | null }) => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

const sandbox = await sandboxAvailability();

describe.skipIf(!sandbox.available)(`mic and the quality gate (sandbox: ${sandbox.reason})`, () => {
  let f: TestForge;
  const one = join(work, "one");

  beforeAll(async () => {
    f = await startTestForge();
    const { token } = await userWithToken(f.url, "gatekeeper");
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    expect((await mic(work, "--server", f.url, "auth", "login", "--token", token)).status).toBe(0);
    json(await mic(work, "--json", "clone", "gatekeeper/app", "one"));
    json(await mic(one, "--json", "session", "start", "Add the checks"));
    mkdirSync(join(one, ".micelio"));
    writeFileSync(
      join(one, ".micelio", "checks.yml"),
      "min_score: 100\nsteps:\n  - name: answer\n    run: grep -qx 42 answer.txt || { echo wrong answer >&2; exit 3; }\n",
    );
    writeFileSync(join(one, "answer.txt"), "42\n");
    json(await mic(one, "--json", "land"));
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "exits 8 with the failing step and its log, then lands the fix",
    async () => {
      json(await mic(one, "--json", "session", "start", "Change the answer"));
      writeFileSync(join(one, "answer.txt"), "41\n");
      const human = await mic(one, "land");
      expect(human.status, human.stderr).toBe(8);
      expect(human.stderr).toMatch(/validation failed \(attempt \d+\): score 0, needs 100/);
      expect(human.stderr).toContain("✗ answer [test]: exit 3");
      expect(human.stderr).toContain("wrong answer");
      const r = await mic(one, "--json", "land");
      expect(r.status).toBe(8);
      expect(JSON.parse(r.stdout)).toMatchObject({
        exit_code: 8,
        type: "https://micelio.dev/problems/validation-failed",
        validation: { status: "failed", score: 0, min_score: 100 },
        failing_steps: [{ name: "answer", exit_code: 3 }],
      });
      writeFileSync(join(one, "answer.txt"), "42\n");
      writeFileSync(join(one, "notes.txt"), "kept the answer\n");
      expect(json(await mic(one, "--json", "land"))).toMatchObject({
        position: 2,
        validation: { status: "passed", score: 100, confidence: expect.any(Number) },
      });
    },
    SLOW,
  );
});
