// How `mic land` sends a change and takes in the landing, against a real forge: through the
// API when it can (the session's commit is then the forge's, and nothing is pushed or
// fetched when nothing else landed), and by a push when the API would not hold exactly the
// working tree (a path uploaded earlier and since reverted), when the body is too large for
// the API, or when the secret scanner flags an added line (the forge's hook then refuses it
// and the secret is never stored). Every way ends with the checkout on the landed commit.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { runGit } from "@micelio/forge/testing/git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-upload-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config"), MIC_TRACE: "1" });
const json = (r: { stdout: string; stderr: string; status: number | null }) => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
/** The git commands a traced mic run started (`git push`, `git fetch`, …). */
const gitRuns = (stderr: string) => [...stderr.matchAll(/ms {2}git (\S+)/g)].map((m) => m[1]);

describe("mic land's upload", () => {
  let f: TestForge;
  let token: string;
  const one = join(work, "one");
  const two = join(work, "two");
  const projectApi = "/api/v1/projects/alice/app";
  const repoDir = async () => f.forge.repos.dir((await api(f.url, "GET", projectApi, { token })).body.id);
  /** The forge's refs/sessions/<id>: its committer, or null when the ref does not exist. */
  const sessionCommitter = async (id: string) =>
    runGit(await repoDir(), "log", "-1", "--format=%cn", `refs/sessions/${id}`).catch(() => null);
  const expectOnLanded = async (dir: string, landed: { commit: string }) => {
    expect(await runGit(dir, "rev-parse", "HEAD")).toBe(landed.commit);
    expect(await runGit(dir, "rev-parse", "refs/remotes/origin/main")).toBe(landed.commit);
    expect(await runGit(dir, "status", "--porcelain")).toBe("");
    expect(json(await mic(dir, "--json", "status"))).toMatchObject({ session: null, changes: [] });
  };

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "alice")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    mkdirSync(join(src, "dir"));
    writeFileSync(join(src, "dir", "old.txt"), "old\n");
    writeFileSync(join(src, "notes.txt"), "one\ntwo\n");
    writeFileSync(join(src, "gone.txt"), "bye\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "Initial import");
    const remote = `${f.url.replace("http://", `http://alice:${token}@`)}/alice/app.git`;
    await runGit(src, "push", "-q", remote, "main");
    expect((await mic(work, "--server", f.url, "auth", "login", "--token", token)).status).toBe(0);
    json(await mic(work, "--json", "clone", "alice/app", "one"));
    json(await mic(work, "--json", "clone", "alice/app", "two"));
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "sends edits, additions, deletions, modes, symlinks and binaries through the API, pushing and fetching nothing",
    async () => {
      const s = json(await mic(one, "--json", "session", "start", "Many kinds of change"));
      writeFileSync(join(one, "notes.txt"), "one\nTWO\n");
      rmSync(join(one, "gone.txt"));
      rmSync(join(one, "dir"), { recursive: true });
      writeFileSync(join(one, "dir"), "a file where a directory was\n");
      mkdirSync(join(one, "bin"));
      writeFileSync(join(one, "bin", "run.sh"), "#!/bin/sh\necho hi\n");
      chmodSync(join(one, "bin", "run.sh"), 0o755);
      symlinkSync("notes.txt", join(one, "link"));
      writeFileSync(join(one, "image.bin"), Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]));
      const r = await mic(one, "--json", "land");
      const landed = json(r);
      expect(gitRuns(r.stderr)).not.toContain("push");
      expect(gitRuns(r.stderr)).not.toContain("fetch");
      expect(gitRuns(r.stderr)).not.toContain("ls-remote");
      expect(await sessionCommitter(s.id)).toBe("Micelio"); // the forge wrote the session's commit
      expect(landed.changes).toEqual([
        { path: "bin/run.sh", status: "added" },
        { path: "dir", status: "added" },
        { path: "dir/old.txt", status: "deleted" },
        { path: "gone.txt", status: "deleted" },
        { path: "image.bin", status: "added" },
        { path: "link", status: "added" },
        { path: "notes.txt", status: "modified" },
      ]);
      await expectOnLanded(one, landed);
      // Trunk's tree on the forge is the working tree, modes and all.
      const dir = await repoDir();
      expect(await runGit(dir, "rev-parse", "main^{tree}")).toBe(
        await runGit(one, "rev-parse", "HEAD^{tree}"),
      );
      expect(await runGit(dir, "ls-tree", "main", "bin/run.sh", "link")).toMatch(/^100755 .*\n120000 /);
    },
    SLOW,
  );

  it(
    "fetches trunk when other work landed since the base, and pushes when the session holds a reverted path",
    async () => {
      const first = json(await mic(one, "--json", "session", "start", "Edit notes"));
      const second = json(await mic(two, "--json", "session", "start", "Edit notes too"));
      writeFileSync(join(one, "notes.txt"), "one\nTWO\nthree\n");
      expect(json(await mic(one, "--json", "land")).session).toBe(first.id);
      // two's session is behind; its change to notes.txt reaches the forge, then is refused.
      writeFileSync(join(two, "notes.txt"), "uno\n");
      expect((await mic(two, "land")).status).toBe(3);
      // two gives that edit up and changes another file: the forge's session still holds
      // notes.txt, so the API cannot make it the working tree, and mic pushes instead.
      await runGit(two, "checkout", "--", "notes.txt");
      writeFileSync(join(two, "other.txt"), "other\n");
      const r = await mic(two, "--json", "land");
      const landed = json(r);
      expect(gitRuns(r.stderr)).toContain("push");
      expect(gitRuns(r.stderr)).toContain("fetch"); // the landed tree holds one's edit
      expect(landed.changes).toEqual([{ path: "other.txt", status: "added" }]);
      await expectOnLanded(two, landed);
      const notes = await api(f.url, "GET", `${projectApi}/blob/main/notes.txt`, { token });
      expect(notes.body.content).toBe("one\nTWO\nthree\n");
      expect(second.id).toBe(landed.session);
    },
    SLOW,
  );

  it(
    "pushes a change too large for the API",
    async () => {
      json(await mic(one, "--json", "session", "start", "A large file"));
      // Binary, so neither side spends long scanning it for secrets.
      const big = Buffer.alloc(1_200_000, Buffer.from([0, 1, 2, 3, 255]));
      writeFileSync(join(one, "big.bin"), big);
      const r = await mic(one, "--json", "land");
      const landed = json(r);
      expect(gitRuns(r.stderr)).toContain("push");
      await expectOnLanded(one, landed);
      expect(await runGit(await repoDir(), "rev-parse", "main:big.bin")).toBe(
        await runGit(one, "hash-object", "big.bin"),
      );
    },
    SLOW,
  );

  it(
    "refuses a secret as before: pushed, refused by the forge's hook, never stored, exit 7 with the reason",
    async () => {
      const s = json(await mic(one, "--json", "session", "start", "Leak a key"));
      writeFileSync(
        join(one, "config.env"),
        `AWS_ACCESS_KEY_ID=${["AKIA", "IOSFODNN7", "EXAMPLE"].join("")}\n`,
      );
      const r = await mic(one, "--json", "land");
      expect(r.status).toBe(7);
      expect(JSON.parse(r.stdout)).toMatchObject({ exit_code: 7 });
      expect(r.stderr).toMatch(/the forge refused the push: .*secret/);
      expect(gitRuns(r.stderr)).toContain("push");
      expect(await sessionCommitter(s.id)).toBeNull();
      const session = await api(f.url, "GET", `${projectApi}/sessions/${s.id}`, { token });
      expect(session.body.status).toBe("open");
      json(await mic(one, "--json", "abandon"));
      rmSync(join(one, "config.env"));
    },
    SLOW,
  );
});
