// docs/mic.md's "Your first landing", followed literally on an empty project; and the guide
// and /skill.md name every mic command, so they cannot silently fall behind the CLI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { runGit } from "@micelio/forge/testing/git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

// Each step spawns mic (and git); on a busy 2-core machine a scenario can take minutes.
const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-first-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config") });
const ROOT = join(import.meta.dirname, "..", "..", "..");
const guide = readFileSync(join(ROOT, "docs", "mic.md"), "utf8");
const skill = readFileSync(join(ROOT, "packages", "forge", "src", "docs", "skill.md"), "utf8");

describe("docs/mic.md", () => {
  let f: TestForge;
  let token: string;
  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "alice")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "hello" } });
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "walks a new user through a first landing on an empty project",
    async () => {
      const steps: string[][] = [
        ["--server", f.url, "auth", "login", "--token", token],
        ["clone", "alice/hello"],
      ];
      for (const args of steps) {
        const r = await mic(work, ...args);
        expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      }
      const dir = join(work, "hello");
      const inside: string[][] = [
        ["session", "start", "Add a greeting"],
        ["session", "note", "--decision", "Greet the whole world, not one user"],
        ["status"],
        ["diff"],
        ["land"],
      ];
      for (const args of inside) {
        if (args[0] === "session" && args[1] === "note")
          writeFileSync(join(dir, "greeting.txt"), "Hello, world\n");
        const r = await mic(dir, ...args);
        expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
        if (args[0] === "status") expect(r.stdout).toMatch(/added +greeting\.txt/);
        if (args[0] === "diff") expect(r.stdout).toContain("+Hello, world");
        if (args[0] === "land") expect(r.stdout).toMatch(/at position 1 .*Add a greeting/);
      }
      const log = await mic(dir, "log");
      expect(log.stdout).toMatch(/1 .*Add a greeting .*alice/);
      expect(await runGit(dir, "status", "--porcelain")).toBe("");
      expect(await runGit(dir, "log", "--format=%s")).toBe("Add a greeting");
      for (const cmd of [
        "mic session start",
        "mic session note --decision",
        "mic status",
        "mic diff",
        "mic land",
      ])
        expect(guide).toContain(cmd);
    },
    SLOW,
  );

  it("the guide and /skill.md mention every command mic has", async () => {
    const help = await mic(work, "--help");
    const section = help.stdout.slice(help.stdout.indexOf("Commands:"), help.stdout.indexOf("Environment:"));
    const commands = [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
      .map((m) => m[1])
      .filter((c) => c !== "help");
    expect(commands.length).toBeGreaterThan(10);
    for (const c of commands) {
      expect(guide, c).toMatch(new RegExp(`mic (--json )?${c}\\b`));
      expect(skill, c).toMatch(new RegExp(`mic (--[a-z]+ ([^ ]+ )?)*${c}\\b`));
    }
  });
});
