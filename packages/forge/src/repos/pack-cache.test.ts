import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { observeGit } from "./git.ts";
import { repoJobHandlers } from "./maintain.ts";
import { packCacheDir, prunePackCache } from "./pack-cache.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-packs-"));
const run = runGit;

describe("pack cache for clones", () => {
  let f: TestForge;
  let remote: string;
  let projectId: string;
  const cached = (suffix: string) =>
    existsSync(packCacheDir(f.dataDir))
      ? readdirSync(packCacheDir(f.dataDir)).filter((n) => n.endsWith(suffix))
      : [];
  /** Packs kept by upload-pack's hook (pack-cache-hook.sh) and whole answers kept by fetch-cache.ts. */
  const packs = () => cached(".pack");
  const answers = () => cached(".fetch");

  beforeAll(async () => {
    f = await startTestForge();
    const u = await userWithToken(f.url, "packer");
    projectId = (await api(f.url, "POST", "/api/v1/projects", { token: u.token, json: { handle: "big" } }))
      .body.id;
    remote = `${f.url.replace("http://", `http://packer:${u.token}@`)}/packer/big.git`;
    const src = join(work, "src");
    await run(work, "init", "-q", "-b", "main", src);
    for (let i = 0; i < 20; i++) {
      writeFileSync(join(src, `f${i % 5}.txt`), `line ${i}\n`.repeat(50 + i));
      await run(src, "add", ".");
      await run(src, "commit", "-q", "-m", `c${i}`);
    }
    await run(src, "push", "-q", remote, "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("serves a second identical full clone from one kept answer (v2) or one cached pack (v0)", async () => {
    expect([...packs(), ...answers()]).toHaveLength(0);
    await run(work, "clone", "-q", "--bare", remote, join(work, "c1"));
    expect(answers()).toHaveLength(1);
    expect(packs()).toHaveLength(0);
    const started: string[] = [];
    const off = observeGit((e) => {
      if (e.phase === "start") started.push(e.args.join(" "));
    });
    try {
      await run(work, "clone", "-q", "--bare", remote, join(work, "c2"));
    } finally {
      off();
    }
    expect(answers()).toHaveLength(1);
    // The advertisement and ls-refs come from memory, the pack from the kept answer.
    expect(started.filter((a) => a.includes("upload-pack"))).toEqual([]);
    // Protocol v0 (what forks speak) goes through upload-pack's pack-objects hook.
    for (const c of ["v0a", "v0b"])
      await run(work, "-c", "protocol.version=0", "clone", "-q", "--bare", remote, join(work, c));
    expect(packs()).toHaveLength(1);
    for (const c of ["c1", "c2", "v0a", "v0b"]) {
      expect(await run(join(work, c), "rev-parse", "main")).toBe(
        await run(join(work, "src"), "rev-parse", "main"),
      );
      expect(await run(join(work, c), "fsck", "--no-progress")).toBe("");
    }
  });

  it("does not keep incremental fetches; a push or a new tag makes the next full clone a new entry", async () => {
    const src = join(work, "src");
    writeFileSync(join(src, "new.txt"), "new\n");
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "new");
    await run(src, "push", "-q", remote, "main");
    await run(join(work, "c1"), "fetch", "-q", remote, "main:main");
    expect(answers()).toHaveLength(1);
    expect(packs()).toHaveLength(1);
    await run(work, "clone", "-q", "--bare", "--single-branch", remote, join(work, "c3"));
    expect(answers()).toHaveLength(2);
    expect(await run(join(work, "c3"), "rev-parse", "main")).toBe(await run(src, "rev-parse", "main"));
    // A tag on a commit already in the pack: a single-branch clone wants the same commit as
    // before, and include-tag brings the tag along, so the tags are part of the key.
    await run(src, "tag", "-a", "v1", "-m", "one", "HEAD~1");
    await run(src, "push", "-q", remote, "v1");
    await run(work, "clone", "-q", "--bare", "--single-branch", remote, join(work, "c4"));
    expect(answers()).toHaveLength(3);
    expect(await run(join(work, "c4"), "rev-parse", "v1")).toBe(await run(src, "rev-parse", "v1"));
  });

  it("prunes least recently used packs and answers beyond the budget", () => {
    const all = [...packs(), ...answers()].map((n) => join(packCacheDir(f.dataDir), n));
    expect(all).toHaveLength(4);
    utimesSync(all[0]!, new Date(1000), new Date(1000));
    const r = prunePackCache(f.dataDir, 1);
    expect(r.removed).toBe(4);
    expect(existsSync(all[1]!)).toBe(false);
    expect([...packs(), ...answers()]).toHaveLength(0);
  });

  it("keeps the answer to a gzipped fetch request (a repository with many refs) too", async () => {
    const src = join(work, "src");
    for (let i = 0; i < 60; i++) await run(src, "branch", "-f", `topic-${i}`, `HEAD~${i % 5}`);
    await run(src, "push", "-q", remote, "--all");
    const clone = async (name: string) => {
      const started: string[] = [];
      const off = observeGit((e) => {
        if (e.phase === "start") started.push(e.args.join(" "));
      });
      try {
        // GIT_TRACE_CURL would show it: git gzips request bodies over 1 KiB (60 wants are 3 KiB).
        await run(work, "clone", "-q", "--mirror", remote, join(work, name));
      } finally {
        off();
      }
      return started.filter((a) => a.includes("upload-pack") && !a.includes("--advertise-refs")).length;
    };
    expect(await clone("many1")).toBe(1);
    expect(answers()).toHaveLength(1);
    expect(await clone("many2")).toBe(0);
    expect(await run(join(work, "many2"), "for-each-ref", "--format=%(objectname) %(refname)")).toBe(
      await run(join(work, "many1"), "for-each-ref", "--format=%(objectname) %(refname)"),
    );
    expect(await run(join(work, "many2"), "fsck", "--no-progress")).toBe("");
  });

  it("repacks with a bitmap in the maintenance job", async () => {
    await repoJobHandlers(f.forge.repos)["repo.maintain"](
      { projectId },
      { job: {} as never, attempt: 1, signal: new AbortController().signal },
    );
    const packDir = join(f.forge.repos.dir(projectId), "objects", "pack");
    expect(readdirSync(packDir).some((n) => n.endsWith(".bitmap"))).toBe(true);
  });
});
