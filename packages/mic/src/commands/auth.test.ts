// mic auth against a real forge, driven as a subprocess like an agent would.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "../../test/run-mic.ts";

describe("mic auth", async () => {
  let f: TestForge;
  let token: string;
  const home = mkdtempSync(join(tmpdir(), "mic-home-"));
  const run = micRunner({ MIC_CONFIG_DIR: join(home, "cfg") });
  const mic = (...args: string[]) => run(home, ...args);

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "agent-smith")).token;
  });
  afterAll(async () => {
    await f.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("logs in with a token, stores it 0600, reports status as JSON, logs out", async () => {
    const login = await mic("--server", f.url, "auth", "login", "--token", token);
    expect(login.stderr).toBe("");
    expect(login.status).toBe(0);
    expect(login.stdout).toContain("agent-smith");
    expect(statSync(join(home, "cfg", "config.json")).mode & 0o777).toBe(0o600);
    const status = await mic("--json", "auth", "status");
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ server: f.url, handle: "agent-smith" });
    expect((await mic("auth", "logout")).status).toBe(0);
    const after = await mic("auth", "status");
    expect(after.status).toBe(2);
    expect(after.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a wrong token exits 2 with one clear line; an unreachable server exits 4", async () => {
    const wrong = await mic("--server", f.url, "auth", "login", "--token", "mic_not-a-real-token");
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(
      /^mic: not logged in to 127\.0\.0\.1:\d+: the forge refused the token: The token is invalid or has expired \(run mic auth login/,
    );
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    const down = await mic("--server", "http://127.0.0.1:9", "auth", "login", "--token", token);
    expect(down.status).toBe(4);
    expect(down.stderr).toMatch(/^mic: cannot reach http:\/\/127\.0\.0\.1:9/);
    const usage = await mic("auth", "login");
    expect(usage.status).toBe(1);
  });
});
