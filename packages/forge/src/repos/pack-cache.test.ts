import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { repoJobHandlers } from "./maintain.ts";
import { packCacheDir, prunePackCache } from "./pack-cache.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-packs-"));
const run = runGit;

describe("pack cache for clones", () => {
  let f: TestForge;
  let remote: string;
  let projectId: string;
  const packs = () =>
    existsSync(packCacheDir(f.dataDir))
      ? readdirSync(packCacheDir(f.dataDir)).filter((n) => n.endsWith(".pack"))
      : [];

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

  it("serves a second identical full clone from one cached pack", async () => {
    expect(packs()).toHaveLength(0);
    await run(work, "clone", "-q", "--bare", remote, join(work, "c1"));
    expect(packs()).toHaveLength(1);
    await run(work, "clone", "-q", "--bare", remote, join(work, "c2"));
    expect(packs()).toHaveLength(1);
    for (const c of ["c1", "c2"]) {
      expect(await run(join(work, c), "rev-parse", "main")).toBe(
        await run(join(work, "src"), "rev-parse", "main"),
      );
      expect(await run(join(work, c), "fsck", "--no-progress")).toBe("");
    }
  });

  it("does not cache incremental fetches; a push makes the next full clone a new entry", async () => {
    const src = join(work, "src");
    writeFileSync(join(src, "new.txt"), "new\n");
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "new");
    await run(src, "push", "-q", remote, "main");
    await run(join(work, "c1"), "fetch", "-q", remote, "main:main");
    expect(packs()).toHaveLength(1);
    await run(work, "clone", "-q", "--bare", remote, join(work, "c3"));
    expect(packs()).toHaveLength(2);
    expect(await run(join(work, "c3"), "rev-parse", "main")).toBe(await run(src, "rev-parse", "main"));
  });

  it("prunes least recently used packs beyond the budget", () => {
    const [a, b] = packs().map((n) => join(packCacheDir(f.dataDir), n));
    utimesSync(a, new Date(1000), new Date(1000));
    const r = prunePackCache(f.dataDir, 1);
    expect(r.removed).toBe(2);
    expect(existsSync(b)).toBe(false);
    expect(packs()).toHaveLength(0);
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
