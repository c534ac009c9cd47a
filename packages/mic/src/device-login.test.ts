// `mic auth login` without a token, end to end (issue 5, acceptance 3): mic runs as a
// subprocess against a real forge, prints a code, the user approves it over the API, and
// mic ends logged in with its credentials stored 0600. Denial and expiry end the login
// with exit 2 and one clear line; an unreachable server exits 4.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = join(import.meta.dirname, "main.ts");

interface Run {
  child: ChildProcess;
  /** Resolves with the first match of `re` in stderr. */
  stderrMatch(re: RegExp): Promise<RegExpExecArray>;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

describe("mic auth login (device flow)", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  const home = mkdtempSync(join(tmpdir(), "mic-device-"));
  const cfg = (name: string) => join(home, name);

  // The forge runs in this process, so mic must run asynchronously (spawnSync would block it).
  function mic(configDir: string, ...args: string[]): Run {
    const env: NodeJS.ProcessEnv = { ...process.env, MIC_CONFIG_DIR: configDir, MIC_SERVER: "" };
    delete env.MIC_TOKEN;
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { env });
    let stdout = "";
    let stderr = "";
    const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => {
      stderr += d;
      for (const w of [...waiters]) {
        const m = w.re.exec(stderr);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on("close", (status) => resolve({ status, stdout, stderr })),
    );
    return {
      child,
      done,
      stderrMatch: (re) =>
        new Promise((resolve, reject) => {
          const m = re.exec(stderr);
          if (m) return resolve(m);
          waiters.push({ re, resolve });
          done.then(() => reject(new Error(`mic ended without printing ${re}: ${stderr}`)));
        }),
    };
  }
  const CODE = /enter the code ([A-Z]{4}-[A-Z]{4})/;

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "device-owner");
  });
  afterAll(async () => {
    await f.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("prints a code, is approved over the API, and ends logged in (--json stays one document)", async () => {
    const run = mic(cfg("ok"), "--json", "auth", "login", "--server", f.url);
    const [, userCode] = await run.stderrMatch(CODE);
    expect((await run.stderrMatch(/Or open: (\S+)\n/))[1]).toBe(`${f.url}/device?code=${userCode}`);
    const approved = await api(f.url, "POST", "/api/v1/device/approve", {
      basic: [owner.handle, owner.password],
      json: { user_code: userCode },
    });
    expect(approved.status).toBe(200);
    const result = await run.done;
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ server: f.url, handle: "device-owner", via: "device" });
    expect(statSync(join(cfg("ok"), "config.json")).mode & 0o777).toBe(0o600);

    const status = await mic(cfg("ok"), "--json", "auth", "status").done;
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ server: f.url, handle: "device-owner" });
    const tokens = await api(f.url, "GET", "/api/v1/tokens", { basic: [owner.handle, owner.password] });
    expect(tokens.body.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^mic device login \(mic on .+\)$/)]),
    );
  });

  it("exits 2 with one clear line when the login is denied or expires", async () => {
    const denied = mic(cfg("denied"), "--server", f.url, "auth", "login");
    const expiring = mic(cfg("expired"), "--server", f.url, "auth", "login");
    const [, deniedCode] = await denied.stderrMatch(CODE);
    const [, expiringCode] = await expiring.stderrMatch(CODE);
    const deny = await api(f.url, "POST", "/api/v1/device/deny", {
      basic: [owner.handle, owner.password],
      json: { user_code: deniedCode },
    });
    expect(deny.status).toBe(200);
    await f.forge.db
      .updateTable("device_authorizations")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_code", "=", expiringCode.replace("-", ""))
      .execute();
    const [d, e] = await Promise.all([denied.done, expiring.done]);
    expect(d.status).toBe(2);
    expect(d.stderr.trim().split("\n").at(-1)).toBe("mic: the device login was denied in the browser");
    expect(e.status).toBe(2);
    expect(e.stderr.trim().split("\n").at(-1)).toMatch(/^mic: the device code expired/);
    expect(d.stdout + e.stdout).toBe("");
  });

  it("exits 4 when the server cannot be reached", async () => {
    const down = await mic(cfg("down"), "--server", "http://127.0.0.1:9", "auth", "login").done;
    expect(down.status).toBe(4);
    expect(down.stderr).toMatch(/^mic: cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
