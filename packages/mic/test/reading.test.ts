// Reading a project with mic as an agent would: blame says why each line is there (the
// session's goal, author and agent); not-found errors name the project and server, the path
// and ref, or the position, with the next step; clone takes the project's web or git URL;
// --server takes host:port without a scheme.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-reading-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config") });
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("mic reading: blame with sessions, errors with their subject, clone by URL", () => {
  let f: TestForge;
  let token = "";
  const ids: string[] = [];
  const land = async (goal: string, files: Record<string, string>) => {
    const base = "/api/v1/projects/alice/app/sessions";
    const s = await api(f.url, "POST", base, {
      token,
      json: { goal, agent: { name: "claude", model: "m1" }, prompt: { text: goal } },
    });
    const changes = Object.entries(files).map(([path, text]) => ({ path, content: b64(text) }));
    expect(
      (await api(f.url, "PUT", `${base}/${s.body.id}/changes`, { token, json: { changes } })).status,
    ).toBe(200);
    expect((await api(f.url, "POST", `${base}/${s.body.id}/land`, { token })).status).toBe(200);
    ids.push(s.body.id);
  };

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "alice")).token;
    for (const [handle, visibility] of [
      ["app", "public"],
      ["vault", "private"],
    ])
      await api(f.url, "POST", "/api/v1/projects", { token, json: { handle, visibility } });
    await land("Write the parser", { "src/parse.ts": "one\ntwo\n" });
    await land("Handle empty input", { "src/parse.ts": "one\ntwo\nempty\n" });
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "blame shows each line's session goal, author and agent",
    async () => {
      const human = await mic(work, "--server", f.url, "blame", "src/parse.ts", "--project", "alice/app");
      expect(human.status, human.stderr).toBe(0);
      expect(human.stdout.split("\n").slice(0, 5)).toEqual([
        `#1 alice [claude:m1] session ${ids[0]}: Write the parser`,
        "  1  one",
        "  2  two",
        `#2 alice [claude:m1] session ${ids[1]}: Handle empty input`,
        "  3  empty",
      ]);
      const doc = await mic(
        work,
        "--server",
        f.url,
        "--json",
        "blame",
        "src/parse.ts",
        "--project",
        "alice/app",
      );
      expect(
        json(doc).lines.map((l: Record<string, unknown>) => [l.line, l.position, l.goal, l.agent]),
      ).toEqual([
        [1, 1, "Write the parser", "claude:m1"],
        [2, 1, "Write the parser", "claude:m1"],
        [3, 2, "Handle empty input", "claude:m1"],
      ]);
      const atOne = await mic(
        work,
        "--server",
        f.url,
        "blame",
        "src/parse.ts",
        "--project",
        "alice/app",
        "--at",
        "1",
      );
      expect(atOne.stdout).not.toContain("empty");
    },
    SLOW,
  );

  it(
    "names the project and server, the path and ref, or the position, with the next step",
    async () => {
      const S = ["--server", f.url];
      const project = await mic(work, ...S, "--json", "log", "--project", "alice/nope");
      expect(project.status).toBe(2);
      expect(project.stderr).toContain(
        `mic: project alice/nope not found on ${f.url}: check the name (mic search nope), or log in (mic auth login --server ${f.url}) if it is private`,
      );
      expect(json(project)).toMatchObject({
        exit_code: 2,
        project: "alice/nope",
        server: f.url,
        status: 404,
      });
      // A private project is the same 404 to outsiders: the message does not say it exists.
      const vault = await mic(work, ...S, "cat", "x", "--project", "alice/vault");
      expect(vault.stderr).toContain(`project alice/vault not found on ${f.url}`);

      const path = await mic(work, ...S, "--json", "cat", "src/nope.ts", "--project", "alice/app");
      expect(path.status).toBe(2);
      expect(path.stderr).toContain(
        `mic: src/nope.ts not found at HEAD in alice/app on ${f.url}: list the files with mic ls src --project alice/app`,
      );
      expect(json(path)).toMatchObject({ path: "src/nope.ts", project: "alice/app" });
      const blame = await mic(work, ...S, "blame", "gone.ts", "--project", "alice/app", "--at", "1");
      expect(blame.stderr).toContain(
        `mic: gone.ts not found at 1 in alice/app on ${f.url}: list the files with mic ls --project alice/app --at 1`,
      );
      const ref = await mic(work, ...S, "cat", "src/parse.ts", "--project", "alice/app", "--at", "nobranch");
      expect(ref.stderr).toContain(`mic: no branch, tag or commit "nobranch" in alice/app on ${f.url}`);
      const position = await mic(work, ...S, "--json", "show", "9", "--project", "alice/app");
      expect(position.stderr).toContain(
        `mic: no landing at position 9 in alice/app on ${f.url}: trunk's head is at position 2`,
      );
      expect(json(position)).toMatchObject({ exit_code: 2, head_position: 2 });
      const session = await mic(work, ...S, "show", "01JZZZZZZZZZZZZZZZZZZZZZZZ", "--project", "alice/app");
      expect(session.stderr).toContain(
        `session 01JZZZZZZZZZZZZZZZZZZZZZZZ not found in alice/app on ${f.url}`,
      );
    },
    SLOW,
  );

  it(
    "clones by the project's web or git URL, and takes --server without a scheme",
    async () => {
      const web = await mic(work, "--json", "clone", `${f.url}/alice/app/blob/main/src/parse.ts`, "web");
      expect(web.status, web.stderr).toBe(0);
      expect(json(web)).toMatchObject({ owner: "alice", project: "app", server: f.url, head_position: 2 });
      expect(readFileSync(join(work, "web", "src", "parse.ts"), "utf8")).toBe("one\ntwo\nempty\n");
      const state = JSON.parse(readFileSync(join(work, "web", ".git", "mic", "state.json"), "utf8"));
      expect(state).toMatchObject({ server: f.url, owner: "alice", project: "app" });
      // In the checkout, reading needs no --project or --server.
      const inside = await mic(join(work, "web"), "log");
      expect(inside.stdout).toContain("Handle empty input");

      const git = await mic(work, "clone", `${f.url}/alice/app.git`, "git");
      expect(git.status, git.stderr).toBe(0);
      const bare = await mic(
        work,
        "--json",
        "--server",
        f.url.replace("http://", ""),
        "clone",
        "alice/app",
        "bare",
      );
      expect(json(bare).server).toBe(f.url);
      const clash = await mic(
        work,
        "--server",
        "https://elsewhere.example",
        "clone",
        `${f.url}/alice/app`,
        "x",
      );
      expect([clash.status, clash.stderr.trim()]).toEqual([
        1,
        `mic: the URL names ${f.url} but --server says https://elsewhere.example`,
      ]);
      const junk = await mic(work, "clone", `${f.url}/`, "y");
      expect(junk.status).toBe(1);
      expect(junk.stderr).toContain("no project in");
    },
    SLOW,
  );
});
