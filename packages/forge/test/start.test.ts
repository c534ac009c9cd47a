// The quick start, as a user runs it: `micelio serve` on a fresh data directory prints its
// URL, serves pages, keeps data across a restart (migrations run again harmlessly), and
// exits cleanly on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "../src/testing/client.ts";

const MAIN = join(import.meta.dirname, "..", "src", "main.ts");
const BIN = join(import.meta.dirname, "..", "bin", "micelio.js");

function serve(
  dataDir: string,
  entry = ["--import", "tsx", MAIN],
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    MICELIO_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [...entry, "serve"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Micelio is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    }, 100);
    child.once("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`micelio exited with ${code}: ${out}`));
    });
  });
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

describe("micelio serve", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "micelio-start-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("prints its URL, serves, keeps data across restarts, and stops on SIGTERM", async () => {
    const first = await serve(dataDir);
    const home = await fetch(first.url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("<title>Micelio</title>");
    expect((await api(first.url, "GET", "/ready")).body).toEqual({ status: "ready", database: "ok" });
    const signup = await api(first.url, "POST", "/api/v1/signup", {
      json: { handle: "keeper", email: "keeper@example.test", password: "persisted!" },
    });
    expect(signup.status).toBe(201);
    first.child.kill("SIGTERM");
    expect(await exitOf(first.child)).toBe(0);

    const second = await serve(dataDir);
    const user = await api(second.url, "GET", "/api/v1/users/keeper");
    expect(user.status).toBe(200);
    second.child.kill("SIGTERM");
    expect(await exitOf(second.child)).toBe(0);
  }, 240_000);

  it("runs compiled from the bin (npm start), finding the files kept beside the sources", async () => {
    const served = await serve(join(dataDir, "compiled"), [BIN]);
    try {
      expect((await fetch(served.url)).status).toBe(200);
      // The SQL migrations ran, and the stylesheet and skill.md are found.
      expect((await api(served.url, "GET", "/ready")).body).toEqual({ status: "ready", database: "ok" });
      const css = await fetch(`${served.url}/assets/style.css`);
      expect(css.status).toBe(200);
      expect((await css.text()).length).toBeGreaterThan(1000);
      expect((await fetch(`${served.url}/skill.md`)).status).toBe(200);
    } finally {
      served.child.kill("SIGTERM");
    }
    expect(await exitOf(served.child)).toBe(0);
  }, 240_000);
});
