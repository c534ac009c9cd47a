// The acceptance script: an agent loop written only from what /skill.md says — clone, open a
// session, change, meet a conflict, sync, land — that branches on mic's exit codes alone
// (never on messages). Two agents edit the same lines; the second one's loop must end landed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MicResult, micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-agent-loop-"));

describe("an agent loop from /skill.md", () => {
  let f: TestForge;
  let token: string;

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "alice")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "clone, session, change, conflict, sync, land: every failure told by its exit code",
    async () => {
      const skill = await (await fetch(`${f.url}/skill.md`)).text();
      // What the loop relies on is what the page says.
      for (const said of ["mic --json land", "mic --json sync", "| 3 |", "| 5 |", "| 6 |", "| 7 |"])
        expect(skill).toContain(said);
      const promptFile = join(work, "prompt.txt");
      writeFileSync(promptFile, "Keep the greetings file tidy\n");
      const mic = micRunner({
        MIC_SERVER: f.url,
        MIC_TOKEN: token,
        MIC_AGENT: "loop",
        MIC_PROMPT_FILE: promptFile,
        MIC_CONFIG_DIR: join(work, "cfg"),
      });
      const ok = (r: MicResult) => {
        expect(r.status, r.stderr).toBe(0);
        return JSON.parse(r.stdout);
      };

      /** Opens a session and makes the change. */
      async function begin(dir: string, goal: string, edit: () => void) {
        ok(await mic(dir, "--json", "session", "start", goal));
        edit();
        // Events go through stdin, so no event log lands with the change.
        const events = JSON.stringify([{ kind: "decision", text: `Because: ${goal}` }]);
        const logged = await micWithInput(dir, events, "session", "log-event", "-");
        expect(logged.status, logged.stderr).toBe(0);
      }

      /** The loop: land; on 3 sync (on 3 again resolve the marked files) and land again. */
      async function finish(dir: string, goal: string, resolve: (file: string) => void) {
        for (let attempt = 0; attempt < 5; attempt++) {
          const landed = await mic(dir, "--json", "land");
          const doc = JSON.parse(landed.stdout);
          switch (landed.status) {
            case 0:
              return doc;
            case 3: {
              const synced = await mic(dir, "--json", "sync");
              if (synced.status === 3)
                for (const c of JSON.parse(synced.stdout).conflicts) resolve(join(dir, c.path));
              else expect(synced.status, synced.stderr).toBe(0);
              break;
            }
            case 6: // closed on the server: the checkout is healed; start over
              ok(await mic(dir, "--json", "session", "start", goal));
              break;
            default:
              throw new Error(`exit ${landed.status}: ${landed.stderr}`);
          }
        }
        throw new Error("the loop did not land");
      }
      const micWithInput = (dir: string, input: string, ...args: string[]) =>
        micRunner({ MIC_SERVER: f.url, MIC_TOKEN: token, MIC_CONFIG_DIR: join(work, "cfg") }, input)(
          dir,
          ...args,
        );

      const a = join(work, "a");
      const b = join(work, "b");
      ok(await mic(work, "--json", "clone", "alice/app", a));
      await begin(a, "Start the notes", () => writeFileSync(join(a, "notes.txt"), "one\n"));
      expect((await finish(a, "Start the notes", () => {})).position).toBe(1);
      ok(await mic(work, "--json", "clone", "alice/app", b));
      await begin(a, "Say two", () => writeFileSync(join(a, "notes.txt"), "two\n"));
      await begin(b, "Say three", () => writeFileSync(join(b, "notes.txt"), "three\n"));
      // a lands first, while b works: b's first land meets a conflict, its sync markers.
      expect((await finish(a, "Say two", () => {})).position).toBe(2);
      let resolved = 0;
      const landed = await finish(b, "Say three", (file) => {
        const marked = readFileSync(file, "utf8");
        // Markers say where each side comes from: trunk's position, the session and its goal.
        expect(marked).toMatch(/^<{7} trunk at position 2(:notes\.txt)?$/m);
        expect(marked).toMatch(/^>{7} session [0-9A-Z]{26}: Say three(:notes\.txt)?$/m);
        writeFileSync(file, "two and three\n");
        resolved++;
      });
      expect(resolved).toBe(1);
      expect(landed.position).toBe(3);
      expect(landed.changes).toEqual([{ path: "notes.txt", status: "modified" }]);
      const blob = await api(f.url, "GET", "/api/v1/projects/alice/app/blob/main/notes.txt", { token });
      expect(blob.body.content).toBe("two and three\n");
      const tree = await api(f.url, "GET", "/api/v1/projects/alice/app/tree/main", { token });
      expect(tree.body.entries.map((e: { name: string }) => e.name)).toEqual(["notes.txt"]);
    },
    SLOW,
  );
});
