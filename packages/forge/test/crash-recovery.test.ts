// A forge killed (SIGKILL) in the middle of landing a stream of sessions, then restarted:
// trunk, positions and session states agree — every landing on trunk is recorded exactly
// once at consecutive positions, every landed session has its landing, the rest are still
// open and land afterwards.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { dropSchema } from "../src/db/db.ts";
import { gitEnv } from "../src/repos/git.ts";
import { api } from "../src/testing/client.ts";

const exec = promisify(execFile);
const MAIN = join(import.meta.dirname, "..", "src", "main.ts");
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("crash in the middle of landing", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "micelio-crash-"));
  const schema = process.env.DATABASE_URL ? `t_crash_${randomBytes(4).toString("hex")}` : undefined;
  let mirrors = 0;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(process.env.DATABASE_URL!, schema);
  });

  function serve(): Promise<{ child: ChildProcess; url: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      MICELIO_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      MICELIO_RATE_LIMIT_USER: "100000",
      MICELIO_RATE_LIMIT_ANON: "100000",
      MICELIO_LAND_WAIT_MS: "30",
    };
    if (schema) env.MICELIO_DATABASE_SCHEMA = schema;
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "serve"], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    let out = "";
    return new Promise((resolve, reject) => {
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /running at (http:\/\/\S+)/.exec(out);
        if (m) resolve({ child, url: m[1] });
      });
      child.once("exit", (code) => reject(new Error(`forge exited ${code}: ${out}`)));
    });
  }

  it("keeps trunk, positions and sessions consistent across a SIGKILL", async () => {
    let forge = await serve();
    const password = "crash-test-pw";
    await api(forge.url, "POST", "/api/v1/signup", {
      json: { handle: "crash", email: "crash@example.test", password },
    });
    const token = (
      await api(forge.url, "POST", "/api/v1/tokens", {
        basic: ["crash", password],
        json: { name: "t", scopes: ["project:read", "project:write", "session:write"] },
      })
    ).body.token;
    await api(forge.url, "POST", "/api/v1/projects", { token, json: { handle: "p" } });
    const p = "/api/v1/projects/crash/p";
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const s = (await api(forge.url, "POST", `${p}/sessions`, { token, json: { goal: `change ${i}` } }))
        .body;
      await api(forge.url, "PUT", `${p}/sessions/${s.id}/changes`, {
        token,
        json: { changes: [{ path: `f/${i}.txt`, content: b64(`${i}\n`) }] },
      });
      ids.push(s.id);
    }
    // Fire every land request, and kill the forge once some have landed.
    const attempts = ids.map((id) =>
      api(forge.url, "POST", `${p}/sessions/${id}/land`, { token }).catch(() => null),
    );
    for (;;) {
      const log = await api(forge.url, "GET", `${p}/landings?limit=1`).catch(() => null);
      if (log?.body.length && log.body[0].position >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    forge.child.kill("SIGKILL");
    await Promise.all(attempts);
    if (forge.child.exitCode === null && forge.child.signalCode === null) {
      await new Promise((r) => forge.child.once("exit", r));
    }

    forge = await serve();
    const check = async () => {
      const landings = (await api(forge.url, "GET", `${p}/landings?limit=200`, { token })).body as Array<{
        position: number;
        session: string;
        commit: string;
      }>;
      const sessions = (await api(forge.url, "GET", `${p}/sessions?limit=100`, { token })).body as Array<{
        id: string;
        status: string;
        landed_position: number | null;
      }>;
      const positions = landings.map((l) => l.position).sort((a, b) => a - b);
      expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
      const mirror = join(dataDir, `mirror-${++mirrors}`);
      await exec(
        "git",
        [
          "clone",
          "-q",
          "--mirror",
          `${forge.url.replace("http://", `http://crash:${token}@`)}/crash/p.git`,
          mirror,
        ],
        { env: gitEnv() },
      );
      const trunk = (
        await exec("git", ["rev-list", "--first-parent", "main"], { cwd: mirror, env: gitEnv() })
      ).stdout
        .trim()
        .split("\n")
        .filter(Boolean);
      expect(trunk).toHaveLength(positions.length);
      expect(landings.find((l) => l.position === positions.length)?.commit).toBe(trunk[0]);
      for (const s of sessions) {
        const landing = landings.find((l) => l.session === s.id);
        if (s.status === "landed") expect(landing?.position).toBe(s.landed_position);
        else {
          expect(s.status).toBe("open");
          expect(landing).toBeUndefined();
        }
      }
      return { landed: positions.length, open: sessions.filter((s) => s.status === "open").map((s) => s.id) };
    };
    const after = await check();
    expect(after.landed).toBeGreaterThanOrEqual(3);
    // The sessions that did not land before the crash land now, at the next positions.
    for (const id of after.open) {
      expect((await api(forge.url, "POST", `${p}/sessions/${id}/land`, { token })).status).toBe(200);
    }
    const final = await check();
    expect(final.landed).toBe(20);
    expect(final.open).toEqual([]);
    forge.child.kill("SIGTERM");
  }, 300_000);
});
