// A file one side deleted and the other changed, through the real CLI against a real forge:
// `mic sync` explains each such conflict (who deleted it, the landing on trunk) in words and
// in --json and exits 3; `mic land` refuses until `mic resolve --keep/--delete` decides, so a
// deleted file never comes back and trunk's change is never dropped unless the user says so;
// then trunk holds exactly what was chosen.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { runGit } from "@micelio/forge/testing/git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-moddel-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config") });
const json = (r: { stdout: string; stderr: string; status: number | null }) => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe("modify/delete conflicts", () => {
  let f: TestForge;
  let token: string;
  const one = join(work, "one");
  const two = join(work, "two");
  const projectApi = "/api/v1/projects/alice/app";
  const onTrunk = async (path: string) => {
    const r = await api(f.url, "GET", `${projectApi}/blob/main/${path}`, { token });
    return r.status === 404 ? null : (r.body.content as string);
  };

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "alice")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app", visibility: "private" } });
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    for (const name of ["a", "b", "c", "d"]) writeFileSync(join(src, `${name}.txt`), `${name}\n`);
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "Initial import");
    await runGit(
      src,
      "push",
      "-q",
      `${f.url.replace("http://", `http://alice:${token}@`)}/alice/app.git`,
      "main",
    );
    expect((await mic(work, "--server", f.url, "auth", "login", "--token", token)).status).toBe(0);
    json(await mic(work, "--json", "clone", "alice/app", "one"));
    json(await mic(work, "--json", "clone", "alice/app", "two"));
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "sync explains both directions; land refuses until resolved; keep and delete land what was chosen",
    async () => {
      // Trunk deletes a.txt and changes b.txt; the session changes a.txt and deletes b.txt.
      const trunk = json(await mic(one, "--json", "session", "start", "Drop a, reword b"));
      const mine = json(await mic(two, "--json", "session", "start", "Reword a, drop b"));
      rmSync(join(one, "a.txt"));
      writeFileSync(join(one, "b.txt"), "b from trunk\n");
      expect(json(await mic(one, "--json", "land")).position).toBe(2);
      writeFileSync(join(two, "a.txt"), "a from the session\n");
      rmSync(join(two, "b.txt"));
      expect((await mic(two, "land")).status).toBe(3);

      const sync = await mic(two, "--json", "sync");
      expect(sync.status, sync.stderr).toBe(3);
      const doc = JSON.parse(sync.stdout);
      expect(doc).toMatchObject({ exit_code: 3, session: mine.id, base_position: 2 });
      const landing = { position: 2, session_id: trunk.id, goal: "Drop a, reword b", author: "alice" };
      expect(doc.conflicts).toEqual([
        { path: "a.txt", kind: "modify_delete", deleted_by: "trunk", ...landing },
        { path: "b.txt", kind: "modify_delete", deleted_by: "session", ...landing },
      ]);
      expect(sync.stderr).toContain(
        `a.txt: deleted on trunk at position 2 (session ${trunk.id}: Drop a, reword b) but changed by your session`,
      );
      expect(sync.stderr).toContain("b.txt: deleted by your session but changed on trunk at position 2");
      expect(sync.stderr).toContain("mic resolve --keep a.txt");
      // The changed side is left in the working tree, without markers.
      expect(readFileSync(join(two, "a.txt"), "utf8")).toBe("a from the session\n");
      expect(readFileSync(join(two, "b.txt"), "utf8")).toBe("b from trunk\n");
      expect(json(await mic(two, "--json", "status")).conflicts).toEqual(["a.txt", "b.txt"]);

      // Land (and sync) refuse: nothing is resurrected or dropped behind the user's back.
      for (const command of [["land"], ["sync"], ["land", "--sync"]]) {
        const refused = await mic(two, "--json", ...command);
        expect(refused.status, command.join(" ")).toBe(3);
        expect(JSON.parse(refused.stdout).conflicts.map((c: { path: string }) => c.path)).toEqual([
          "a.txt",
          "b.txt",
        ]);
        expect(refused.stderr).toContain("mic resolve --delete b.txt");
      }
      expect(await onTrunk("a.txt")).toBeNull();

      // Mistakes are usage errors.
      expect((await mic(two, "resolve", "a.txt")).status).toBe(1);
      expect((await mic(two, "resolve", "--keep", "--delete", "a.txt")).status).toBe(1);
      const notOne = await mic(two, "resolve", "--keep", "c.txt");
      expect(notOne.status).toBe(1);
      expect(notOne.stderr).toContain("c.txt has no modify/delete conflict");

      // The session wins both: a.txt comes back (chosen), b.txt goes (chosen).
      expect(json(await mic(two, "--json", "resolve", "--keep", "a.txt"))).toMatchObject({
        resolved: [{ path: "a.txt", decision: "keep" }],
        unresolved: ["b.txt"],
      });
      expect((await mic(two, "land")).status).toBe(3);
      json(await mic(two, "--json", "resolve", "--delete", "b.txt"));
      expect(existsSync(join(two, "b.txt"))).toBe(false);
      const landed = json(await mic(two, "--json", "land"));
      expect(landed.position).toBe(3);
      expect(landed.changes).toEqual([
        { path: "a.txt", status: "added" },
        { path: "b.txt", status: "deleted" },
      ]);
      expect(await onTrunk("a.txt")).toBe("a from the session\n");
      expect(await onTrunk("b.txt")).toBeNull();
    },
    SLOW,
  );

  it(
    "trunk wins when chosen: the deletion stays, trunk's change stays (land --sync, deleting by hand)",
    async () => {
      json(await mic(one, "--json", "session", "start", "Drop c, reword d"));
      json(await mic(two, "--json", "session", "start", "Reword c, drop d, add e"));
      rmSync(join(one, "c.txt"));
      writeFileSync(join(one, "d.txt"), "d from trunk\n");
      expect(json(await mic(one, "--json", "land")).position).toBe(4);
      writeFileSync(join(two, "c.txt"), "c from the session\n");
      rmSync(join(two, "d.txt"));
      writeFileSync(join(two, "e.txt"), "e\n");

      const both = await mic(two, "--json", "land", "--sync");
      expect(both.status, both.stderr).toBe(3);
      expect(JSON.parse(both.stdout).conflicts).toEqual([
        expect.objectContaining({ path: "c.txt", deleted_by: "trunk", position: 4 }),
        expect.objectContaining({ path: "d.txt", deleted_by: "session", position: 4 }),
      ]);
      // Deleting the file by hand accepts the deletion; keeping trunk's version must be said.
      rmSync(join(two, "c.txt"));
      expect(json(await mic(two, "--json", "status")).conflicts).toEqual(["d.txt"]);
      json(await mic(two, "--json", "resolve", "--keep", "d.txt"));
      const landed = json(await mic(two, "--json", "land"));
      expect(landed.changes).toEqual([{ path: "e.txt", status: "added" }]);
      expect(await onTrunk("c.txt")).toBeNull();
      expect(await onTrunk("d.txt")).toBe("d from trunk\n");
      expect(await onTrunk("e.txt")).toBe("e\n");
    },
    SLOW,
  );
});
