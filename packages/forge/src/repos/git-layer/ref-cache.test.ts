// The in-process ref cache: branch and tag lists read from git's files match `git
// for-each-ref` (loose and packed refs, annotated and lightweight tags); they are cached until
// a write path invalidates them — a git process that writes refs, GitRepo.updateRefs, or
// forgetRepo — and every invalidation reaches the subscribers.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRefs } from "../../browse/git-read.ts";
import { runGit } from "../../browse/test-repo.ts";
import { git, observeGit } from "../git.ts";
import { forgetRepo, GitRepos } from "./git-repos.ts";
import { gitTarget, invalidateRefs, onRefsInvalidated, refInvalidations } from "./ref-cache.ts";

describe("ref cache", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-ref-cache-"));
  const src = join(work, "src");
  const bare = join(work, "bare.git");
  const pool = new GitRepos(4);

  beforeAll(async () => {
    await runGit(work, "init", "-q", "-b", "main", src);
    for (const [i, msg] of [
      "First\n\ncontinued body",
      "Second line one\nline two\n\nbody",
      "Third",
    ].entries()) {
      writeFileSync(join(src, "f.txt"), `${i}\n`);
      await runGit(src, "add", "-A");
      await runGit(src, "commit", "-q", "-m", msg, `--date=${1_700_000_000 + i * 100} +0000`);
      if (i === 0) await runGit(src, "tag", "light");
      if (i === 1) await runGit(src, "tag", "-a", "v1", "-m", "Release one\nsecond line\n\nnotes");
      if (i === 1) await runGit(src, "branch", "feature/x");
    }
    await runGit(work, "clone", "-q", "--bare", src, bare);
    await runGit(bare, "branch", "loose-one", "main~2");
  });
  afterAll(() => {
    pool.close();
    rmSync(work, { recursive: true, force: true });
  });

  const forEachRef = async () =>
    (
      await runGit(
        bare,
        "for-each-ref",
        "--sort=-creatordate",
        "--format=%(refname)|%(*objectname)%(objectname)|%(creatordate:unix)|%(contents:subject)",
        "refs/heads/",
        "refs/tags/",
      )
    )
      .split("\n")
      .map((l) => {
        const [ref, ids, date, subject] = l.split("|");
        // %(*objectname) (the peeled commit) comes first for annotated tags.
        return { ref, commit: ids!.slice(0, 40), date: Number(date), subject };
      });

  const ours = async () => {
    const r = await listRefs(pool.get(bare));
    const rows = [
      ...r.branches.map((b) => ({ ...b, ref: `refs/heads/${b.name}` })),
      ...r.tags.map((t) => ({ ...t, ref: `refs/tags/${t.name}` })),
    ];
    return rows
      .sort((a, b) => b.date.getTime() - a.date.getTime() || (a.ref < b.ref ? -1 : 1))
      .map((x) => ({ ref: x.ref, commit: x.commit, date: x.date.getTime() / 1000, subject: x.subject }));
  };

  it("lists refs as for-each-ref does, loose and packed", async () => {
    expect(await ours()).toEqual(await forEachRef());
    await git(["pack-refs", "--all"], { cwd: bare }); // through repos/git.ts: invalidates
    await git(["branch", "after-pack", "main~1"], { cwd: bare });
    expect(await ours()).toEqual(await forEachRef());
    expect((await listRefs(pool.get(bare))).defaultBranch).toBe("main");
  });

  it("keeps refs until a write path invalidates them", async () => {
    const before = await listRefs(pool.get(bare));
    expect(await listRefs(pool.get(bare))).toBe(before); // the same object: from the cache
    // A write git does behind the forge's back is not seen…
    await runGit(bare, "branch", "unseen", "main");
    expect((await listRefs(pool.get(bare))).branches.some((b) => b.name === "unseen")).toBe(false);
    // …until something invalidates; a git process run by the forge that writes refs does.
    await git(["branch", "seen", "main"], { cwd: bare });
    const names = (await listRefs(pool.get(bare))).branches.map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(["unseen", "seen"]));
    // A read-only git process does not.
    const cached = await listRefs(pool.get(bare));
    await git(["rev-parse", "HEAD"], { cwd: bare });
    expect(await listRefs(pool.get(bare))).toBe(cached);
  });

  it("is invalidated by GitRepo.updateRefs and tells subscribers, with the origin", async () => {
    const seen: [string, string][] = [];
    const off = onRefsInvalidated((dir, origin) => seen.push([dir, origin]));
    const repo = pool.get(bare);
    const refs = await listRefs(repo);
    const main = refs.branches.find((b) => b.name === "main")!.commit;
    const old = refs.branches.find((b) => b.name === "loose-one")!.commit;
    expect(await repo.updateRefs([{ ref: "refs/heads/loose-one", next: main, expected: old }], "test")).toBe(
      true,
    );
    expect((await listRefs(repo)).branches.find((b) => b.name === "loose-one")!.commit).toBe(main);
    invalidateRefs(bare, "remote");
    off();
    expect(seen).toContainEqual([bare, "local"]);
    expect(seen).toContainEqual([bare, "remote"]);
  });

  it("forgets a removed repository in every pool", async () => {
    const repo = pool.get(bare);
    await listRefs(repo);
    const n = refInvalidations();
    forgetRepo(bare);
    expect(refInvalidations()).toBe(n + 1);
    expect(pool.get(bare)).not.toBe(repo);
  });

  it("finds the repository and command of a git command line", () => {
    expect(gitTarget(["-c", "a=b", "receive-pack", "--stateless-rpc", "/r/x.git"])).toEqual({
      command: "receive-pack",
      dir: "/r/x.git",
    });
    expect(gitTarget(["update-ref", "refs/heads/a", "x"], "/r/y.git")).toEqual({
      command: "update-ref",
      dir: "/r/y.git",
    });
    expect(gitTarget(["-C", "/r/z.git", "fetch"]).dir).toBe("/r/z.git");
  });

  it("counts git processes through observeGit", async () => {
    let starts = 0;
    const off = observeGit((e) => {
      if (e.phase === "start") starts++;
    });
    await git(["rev-parse", "HEAD"], { cwd: bare });
    off();
    expect(starts).toBe(1);
  });
});
