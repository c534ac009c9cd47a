// The mic workflow end to end against a real forge, mic driven as a subprocess: log in,
// clone, open sessions, note, land; a conflicting landing exits 3 with the path; sync then
// land succeeds; a textual conflict leaves markers to resolve; the read commands agree with
// the API and with git.
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
const work = mkdtempSync(join(tmpdir(), "mic-flow-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config") });
const lines = (edit: Record<number, string> = {}) =>
  `${Array.from({ length: 12 }, (_, i) => edit[i + 1] ?? `line ${i + 1}`).join("\n")}\n`;
const json = (r: { stdout: string; stderr: string; status: number | null }) => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe("mic workflow", () => {
  let f: TestForge;
  let token: string;
  const one = join(work, "one");
  const two = join(work, "two");
  const projectApi = "/api/v1/projects/alice/app";
  const authRemote = () => `${f.url.replace("http://", `http://alice:${token}@`)}/alice/app.git`;

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "alice")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app", visibility: "private" } });
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "notes.txt"), lines());
    writeFileSync(join(src, "README.md"), "# app\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "Initial import");
    await runGit(src, "push", "-q", authRemote(), "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "logs in, clones, lands; a conflicting landing exits 3 with the path; sync then land succeeds",
    async () => {
      expect((await mic(work, "--server", f.url, "auth", "login", "--token", token)).status).toBe(0);
      expect(json(await mic(work, "--json", "clone", "alice/app", "one"))).toMatchObject({
        head_position: 1,
      });
      expect((await mic(work, "clone", "alice/app", "two")).status).toBe(0);
      expect(readFileSync(join(one, "notes.txt"), "utf8")).toBe(lines());

      const noPrompt = await mic(one, "session", "start", "Greet at the top", "--agent", "claude-code");
      expect(noPrompt.status).toBe(1);
      expect(noPrompt.stderr).toContain("--prompt");
      const first = json(
        await mic(
          one,
          "--json",
          "session",
          "start",
          "Greet at the top",
          "--agent",
          "claude-code",
          "--model",
          "opus",
          "--prompt",
          "Put a greeting at the top of notes.txt",
          "--env",
          "harness=test",
          "--env",
          "tools=2",
          "--cost",
          "0.25",
        ),
      );
      expect(first).toMatchObject({
        base_position: 1,
        agent: { name: "claude-code", model: "opus" },
        prompt: {
          text: "Put a greeting at the top of notes.txt",
          environment: { harness: "test", tools: 2 },
          cost_usd: 0.25,
        },
        generation_depth: 1,
      });
      const second = json(await mic(two, "--json", "session", "start", "Sign off at the bottom"));
      writeFileSync(join(one, "notes.txt"), lines({ 1: "hello" }));
      writeFileSync(join(one, "new.txt"), "a new file\n");
      writeFileSync(join(two, "notes.txt"), lines({ 12: "bye" }));
      expect((await mic(one, "session", "note", "--decision", "Say hello first")).status).toBe(0);

      const status = json(await mic(one, "--json", "status"));
      expect(status).toMatchObject({ session: { id: first.id }, base_position: 1, head_position: 1 });
      expect(status.changes).toEqual([
        { path: "new.txt", status: "added" },
        { path: "notes.txt", status: "modified" },
      ]);
      const diff = json(await mic(one, "--json", "diff"));
      expect(diff.patch).toContain("+hello");
      expect(diff.files).toContainEqual({ path: "notes.txt", added: 1, removed: 1, binary: false });

      const landed = json(await mic(one, "--json", "land"));
      expect(landed).toMatchObject({ session: first.id, position: 2 });
      // The checkout now sits on trunk, clean, with no session open.
      expect(await runGit(one, "rev-parse", "HEAD")).toBe(landed.commit);
      expect(await runGit(one, "status", "--porcelain")).toBe("");
      expect(json(await mic(one, "--json", "status")).session).toBeNull();
      const message = await runGit(one, "log", "-1", "--format=%B");
      expect(message).toContain("Greet at the top");
      expect(message).toContain("- Say hello first");
      expect(message).toContain(`Micelio-Session: ${first.id}`);

      const refused = await mic(two, "land");
      expect(refused.status).toBe(3);
      expect(refused.stderr).toContain("notes.txt");
      expect(refused.stderr).toContain(first.id);
      const refusedJson = await mic(two, "--json", "land");
      expect(refusedJson.status).toBe(3);
      expect(JSON.parse(refusedJson.stdout).conflicts[0]).toMatchObject({
        path: "notes.txt",
        session_id: first.id,
      });

      expect(json(await mic(two, "--json", "sync"))).toMatchObject({ session: second.id, base_position: 2 });
      expect(readFileSync(join(two, "notes.txt"), "utf8")).toBe(lines({ 1: "hello", 12: "bye" }));
      expect(json(await mic(two, "--json", "land"))).toMatchObject({ session: second.id, position: 3 });

      const log = json(await mic(two, "--json", "log", "--limit", "5"));
      expect(log.landings.map((l: { position: number; goal: string }) => [l.position, l.goal])).toEqual([
        [3, "Sign off at the bottom"],
        [2, "Greet at the top"],
        [1, "Initial import"],
      ]);
      expect(log.landings[1].agent).toMatchObject({ name: "claude-code", model: "opus" });
      const human = await mic(two, "log");
      expect(human.stdout).toMatch(/3 .*Sign off at the bottom/);
    },
    SLOW,
  );

  it(
    "a textual conflict on sync leaves markers; land refuses until they are resolved",
    async () => {
      json(await mic(one, "--json", "session", "start", "Top says hi"));
      json(await mic(two, "--json", "session", "start", "Top says hey"));
      writeFileSync(join(one, "notes.txt"), lines({ 1: "hi", 12: "bye" }));
      writeFileSync(join(two, "notes.txt"), lines({ 1: "hey", 12: "bye" }));
      expect((await mic(one, "land")).status).toBe(0);
      expect((await mic(two, "land")).status).toBe(3);

      const sync = await mic(two, "--json", "sync");
      expect(sync.status).toBe(3);
      expect(JSON.parse(sync.stdout).conflicts).toEqual([{ path: "notes.txt", kind: "content" }]);
      expect(readFileSync(join(two, "notes.txt"), "utf8")).toMatch(
        /<<<<<<< [\s\S]*hi[\s\S]*hey[\s\S]*>>>>>>> /,
      );
      expect(json(await mic(two, "--json", "status")).conflicts).toEqual(["notes.txt"]);
      const early = await mic(two, "land");
      expect(early.status).toBe(3);
      expect(early.stderr).toContain("notes.txt: both changed the same lines; fix the marked lines");

      writeFileSync(join(two, "notes.txt"), lines({ 1: "hi and hey", 12: "bye" }));
      const landed = json(await mic(two, "--json", "land"));
      expect(landed.position).toBe(5);
      expect(landed.changes).toEqual([{ path: "notes.txt", status: "modified" }]);
      const blob = await api(f.url, "GET", `${projectApi}/blob/main/notes.txt`, { token });
      expect(blob.body.content).toBe(lines({ 1: "hi and hey", 12: "bye" }));
    },
    SLOW,
  );

  it(
    "reads blame, files and directories at a position without a checkout, as the API and git do",
    async () => {
      const outside = mkdtempSync(join(work, "outside-"));
      const p = ["--project", "alice/app"];
      const landings = (await api(f.url, "GET", `${projectApi}/landings`, { token })).body as {
        position: number;
        commit: string;
      }[];
      const at = (n: number) => landings.find((l) => l.position === n)!.commit;
      await runGit(one, "fetch", "-q", authRemote(), "main");

      const cat2 = await mic(outside, "cat", "notes.txt", "--at", "2", ...p);
      expect(cat2.status, cat2.stderr).toBe(0);
      expect(cat2.stdout).toBe(await runGit(one, "show", `${at(2)}:notes.txt`).then((s) => `${s}\n`));
      expect(cat2.stdout).toBe(lines({ 1: "hello" }));
      expect((await mic(outside, "cat", "new.txt", "--at", "1", ...p)).status).toBe(2);
      const catRef = await mic(outside, "cat", "README.md", "--at", at(1), ...p);
      expect(catRef.stdout).toBe("# app\n");

      const ls1 = json(await mic(outside, "--json", "ls", "--at", "1", ...p));
      const ls3 = json(await mic(outside, "--json", "ls", "--at", "3", ...p));
      const names = (t: { entries: { name: string }[] }) => t.entries.map((e) => e.name).sort();
      expect(names(ls1)).toEqual((await runGit(one, "ls-tree", "--name-only", at(1))).split("\n").sort());
      expect(names(ls3)).toEqual((await runGit(one, "ls-tree", "--name-only", at(3))).split("\n").sort());
      expect(names(ls3)).toEqual(["README.md", "new.txt", "notes.txt"]);
      const apiTree = await api(f.url, "GET", `${projectApi}/tree/${at(3)}`, { token });
      expect(ls3).toEqual(apiTree.body);

      const blame = json(await mic(outside, "--json", "blame", "notes.txt", ...p));
      const apiBlame = await api(f.url, "GET", `${projectApi}/blame/main/notes.txt`, { token });
      // The API's document, each line adding why it is there (its session's goal, author, agent).
      const plain = blame.lines.map(({ goal, author, agent, ...l }: Record<string, unknown>) => l);
      expect({ ...blame, lines: plain }).toEqual(apiBlame.body);
      for (const l of blame.lines) {
        const hunk = apiBlame.body.hunks.find(
          (h: { start: number; end: number }) => h.start <= l.line && l.line <= h.end,
        );
        expect(l.goal).toBe(hunk.landing.session.goal);
        expect(l.author).toBe(hunk.landing.session.author);
      }
      const text = blame.lines.map((l: { content: string }) => l.content).join("\n");
      expect(`${text}\n`).toBe(`${await runGit(one, "show", `${at(5)}:notes.txt`)}\n`);
      expect(blame.lines[0]).toMatchObject({ line: 1, position: 5 });
      expect(blame.lines[11]).toMatchObject({ line: 12, position: 3 });
      expect(blame.lines[5]).toMatchObject({ line: 6, position: 1 });
      const humanBlame = await mic(outside, "blame", "notes.txt", ...p);
      const [header, first] = humanBlame.stdout.split("\n");
      expect(header).toBe(`#5 alice session ${blame.lines[0].session_id}: ${blame.lines[0].goal}`);
      expect(first).toBe("   1  hi and hey");

      const shown = json(await mic(outside, "--json", "show", "2", ...p));
      expect(shown.session).toMatchObject({ goal: "Greet at the top" });
      expect(shown.events).toContainEqual(
        expect.objectContaining({ kind: "decision", text: "Say hello first" }),
      );
      expect(shown.files.map((x: { path: string }) => x.path).sort()).toEqual(["new.txt", "notes.txt"]);
      expect((await mic(outside, "show", "99", ...p)).status).toBe(2);
      expect((await mic(outside, "ls")).status).toBe(1);
    },
    SLOW,
  );

  it(
    "explains itself: mic --help lists every command and each one has complete help",
    async () => {
      const help = await mic(work, "--help");
      expect(help.status).toBe(0);
      const commands = [
        "auth",
        "clone",
        "session",
        "status",
        "diff",
        "land",
        "sync",
        "abandon",
        "log",
        "show",
        "blame",
        "cat",
        "ls",
      ];
      for (const c of commands) expect(help.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
      for (const args of [
        ...commands.map((c) => [c]),
        ["session", "start"],
        ["session", "note"],
        ["session", "log-event"],
      ]) {
        const r = await mic(work, ...args, "--help");
        expect(r.status, args.join(" ")).toBe(0);
        expect(r.stdout, args.join(" ")).toMatch(/^Usage: mic /);
        expect(r.stdout.split("\n")[2]?.trim().length, args.join(" ")).toBeGreaterThan(10);
      }
    },
    SLOW,
  );
});
