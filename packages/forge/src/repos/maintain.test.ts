// Repository upkeep and the small packs of the git layer: piled-up packs are announced and a
// geometric compaction merges them, and neither upkeep drops an object of a pack that no ref
// reaches yet (a landing's pack is written just before its ref moves); the full upkeep prunes
// unreachable objects and temporary files only past git gc's two weeks, and never in a
// repository others borrow objects from.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ulid } from "@micelio/core/ulid";
import { afterAll, describe, expect, it } from "vitest";
import { GitRepo } from "./git-layer/git-repo.ts";
import { onPacksPiled, PACKS_PER_NOTICE } from "./git-layer/pack-write.ts";
import { REPO_COMPACT_JOB, REPO_MAINTAIN_JOB, repoJobHandlers } from "./maintain.ts";
import { createRepoStore } from "./repo-store.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-maintain-"));
const store = createRepoStore(work);
const handlers = repoJobHandlers(store);
const ctx = { job: {} as never, attempt: 1, signal: new AbortController().signal };
const opened: GitRepo[] = [];
afterAll(() => {
  for (const r of opened) r.close();
  rmSync(work, { recursive: true, force: true });
});
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const has = (dir: string, oid: string) => {
  try {
    execFileSync("git", ["cat-file", "-e", oid], { cwd: dir, env: gitEnv });
    return true;
  } catch {
    return false;
  }
};
const packs = (dir: string) => readdirSync(join(dir, "objects", "pack")).filter((f) => f.endsWith(".pack"));

async function project() {
  const id = ulid();
  const dir = await store.create(id);
  const repo = new GitRepo(dir, { timeoutMs: 10_000 });
  opened.push(repo);
  return { id, dir, repo };
}

describe("upkeep of the git layer's packs", () => {
  it("announces piled-up packs, and a compaction merges them keeping every object", async () => {
    const { id, dir, repo } = await project();
    const heard: string[] = [];
    const stop = onPacksPiled((d) => heard.push(d));
    const ids: string[] = [];
    try {
      for (let i = 0; i < PACKS_PER_NOTICE; i++) {
        ids.push(
          ...(await repo.writeMany([
            { type: "blob", data: Buffer.from(`first ${i}\n`) },
            { type: "blob", data: Buffer.from(`second ${i}\n`) },
          ])),
        );
      }
    } finally {
      stop();
    }
    expect(heard).toEqual([dir]);
    expect(packs(dir)).toHaveLength(PACKS_PER_NOTICE);
    await handlers[REPO_COMPACT_JOB]({ projectId: id }, ctx);
    expect(packs(dir).length).toBeLessThan(4);
    for (const oid of ids) expect(has(dir, oid)).toBe(true);
  });

  it("keeps the objects of a pack no ref reaches yet through the full repack after a push", async () => {
    const { id, dir, repo } = await project();
    const tree = await repo.write("tree", Buffer.alloc(0));
    const commit = execFileSync("git", ["commit-tree", tree, "-m", "first"], {
      cwd: dir,
      env: {
        ...gitEnv,
        GIT_AUTHOR_NAME: "a",
        GIT_AUTHOR_EMAIL: "a@b",
        GIT_COMMITTER_NAME: "a",
        GIT_COMMITTER_EMAIL: "a@b",
      },
    })
      .toString()
      .trim();
    execFileSync("git", ["update-ref", "refs/heads/main", commit], { cwd: dir, env: gitEnv });
    const pending = await repo.writeMany([
      { type: "blob", data: Buffer.from("about to be landed\n") },
      { type: "blob", data: Buffer.from("and this too\n") },
    ]);
    await handlers[REPO_MAINTAIN_JOB]({ projectId: id }, ctx);
    for (const oid of [commit, ...pending]) expect(has(dir, oid)).toBe(true);
  });

  it("prunes unreachable objects and temporary files older than two weeks, unless others borrow", async () => {
    const weeksAgo = (n: number) => new Date(Date.now() - n * 7 * 86_400_000);
    /** A loose object no ref reaches, written `age` weeks ago. */
    const stray = (dir: string, text: string, age: number) => {
      const oid = execFileSync("git", ["hash-object", "-w", "--stdin"], {
        cwd: dir,
        env: gitEnv,
        input: text,
      })
        .toString()
        .trim();
      const file = join(dir, "objects", oid.slice(0, 2), oid.slice(2));
      utimesSync(file, weeksAgo(age), weeksAgo(age));
      return oid;
    };
    const leftover = (dir: string) => {
      const file = join(dir, "objects", "pack", "tmp_pack_crashed");
      writeFileSync(file, "half a pack");
      utimesSync(file, weeksAgo(3), weeksAgo(3));
      return file;
    };
    const plain = await project();
    const lender = await project();
    execFileSync("git", ["config", "gc.pruneExpire", "never"], { cwd: lender.dir, env: gitEnv });
    const old = stray(plain.dir, "old garbage\n", 3);
    const recent = stray(plain.dir, "recent garbage\n", 0);
    const tmp = leftover(plain.dir);
    const kept = stray(lender.dir, "old but borrowed\n", 3);
    const keptTmp = leftover(lender.dir);
    await handlers[REPO_MAINTAIN_JOB]({ projectId: plain.id }, ctx);
    await handlers[REPO_MAINTAIN_JOB]({ projectId: lender.id }, ctx);
    expect(has(plain.dir, old)).toBe(false);
    expect(existsSync(tmp)).toBe(false);
    expect(has(plain.dir, recent)).toBe(true);
    expect(has(lender.dir, kept)).toBe(true);
    expect(existsSync(keptTmp)).toBe(true);
  });
});
