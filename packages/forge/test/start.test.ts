// The quick start, as a user runs it: `micelio serve` on a fresh data directory prints its
// URL, serves pages, keeps data across a restart (migrations run again harmlessly), and
// exits cleanly on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AWS_EXAMPLE_KEY_ID } from "@micelio/core/secrets/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { compiledHook } from "../src/repos/receive-hooks.ts";
import { api } from "../src/testing/client.ts";
import { landingToken } from "../src/testing/forge-process.ts";
import { runGit, tryGit } from "../src/testing/git.ts";

const MAIN = join(import.meta.dirname, "..", "src", "main.ts");
const BIN = join(import.meta.dirname, "..", "bin", "micelio.js");

/** `npm start` as npm runs it on a POSIX system: the package's start script through `sh -c`. */
const ROOT = join(import.meta.dirname, "..", "..", "..");
const START_SCRIPT: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.start;

function serve(
  dataDir: string,
  entry = ["--import", "tsx", MAIN, "serve"],
  command = process.execPath,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    MICELIO_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  };
  delete env.DATABASE_URL;
  delete env.GLIBC_TUNABLES;
  const child = spawn(command, entry, {
    cwd: ROOT,
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
    const served = await serve(join(dataDir, "compiled"), ["-c", START_SCRIPT], "sh");
    try {
      // The start script leaves one process, the server, with PGlite's memory settings (ADR 34).
      const pid = served.child.pid!;
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      expect(argv.map((a) => resolve(ROOT, a))).toContain(BIN);
      expect(argv).toContain("--max-semi-space-size=4");
      expect(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")).toContain(
        "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=32768",
      );
      expect((await fetch(served.url)).status).toBe(200);
      // The SQL migrations ran, and the stylesheet and skill.md are found.
      expect((await api(served.url, "GET", "/ready")).body).toEqual({ status: "ready", database: "ok" });
      const css = await fetch(`${served.url}/assets/style.css`);
      expect(css.status).toBe(200);
      expect((await css.text()).length).toBeGreaterThan(1000);
      expect((await fetch(`${served.url}/skill.md`)).status).toBe(200);
      // Pushes run the compiled pre-receive hook built beside the bundle (not tsx): it refuses
      // a secret, naming file and line, and lets a clean push through.
      const dist = join(import.meta.dirname, "..", "dist");
      expect(compiledHook(pathToFileURL(join(dist, "micelio.mjs")).href)).toBe(join(dist, "pre-receive.mjs"));
      expect(compiledHook()).toBe("");
      const token = await landingToken(served.url, "compiled");
      expect(
        (await api(served.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } })).status,
      ).toBe(201);
      const remote = new URL("/compiled/app.git", served.url);
      [remote.username, remote.password] = ["compiled", token];
      const src = join(dataDir, "compiled-src");
      await runGit(dataDir, "init", "-q", "-b", "main", src);
      writeFileSync(join(src, "keys.env"), `one=1\naws = "${AWS_EXAMPLE_KEY_ID}"\n`);
      await runGit(src, "add", ".");
      await runGit(src, "commit", "-q", "-m", "keys");
      const refused = await tryGit(src, "push", "-q", remote.toString(), "main");
      expect(refused.ok).toBe(false);
      expect(refused.out).toMatch(/keys\.env:2: AWS access key id/);
      writeFileSync(join(src, "keys.env"), "one=1\n");
      await runGit(src, "commit", "-q", "-a", "--amend", "-m", "no keys");
      expect(await tryGit(src, "push", "-q", remote.toString(), "main")).toMatchObject({ ok: true });
    } finally {
      served.child.kill("SIGTERM");
    }
    expect(await exitOf(served.child)).toBe(0);
  }, 240_000);
});
