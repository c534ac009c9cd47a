import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { cachedIndexes, conflictingPositions, indexCacheStats, indexFor, setIndexLimits } from "./filters.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-filters-"));
const b64 = (s: string) => Buffer.from(s).toString("base64");
const LANDED = 41; // one pushed import, then 40 sessions
const BUDGET = 4096;

describe("the bounded landing index", () => {
  let f: TestForge;
  let token: string;
  let projectId: string;
  let otherId: string;
  const base = "/api/v1/projects/bounded/app";

  beforeAll(async () => {
    // About fifteen summaries per project: most of the history is only in the database.
    setIndexLimits({ projectBytes: BUDGET });
    f = await startTestForge();
    token = (await userWithToken(f.url, "bounded")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "other" } });
    const ids = await f.forge.db.selectFrom("projects").select(["id", "handle"]).execute();
    projectId = ids.find((p) => p.handle === "app")!.id;
    otherId = ids.find((p) => p.handle === "other")!.id;
  });
  afterAll(async () => {
    setIndexLimits();
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("detects the conflict of a session based far behind the in-memory window", async () => {
    const remote = `${f.url.replace("http://", `http://bounded:${token}@`)}/bounded/app.git`;
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "shared.txt"), "0\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "Import");
    await runGit(src, "push", "-q", remote, "main"); // position 1
    const session = async (goal: string, path: string, content: string) => {
      const s = (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal } })).body;
      const changes = [{ path, content: b64(content) }];
      const r = await api(f.url, "PUT", `${base}/sessions/${s.id}/changes`, { token, json: { changes } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return s;
    };
    const land = (id: string) => api(f.url, "POST", `${base}/sessions/${id}/land`, { token });
    const old = await session("Old base", "shared.txt", "old\n");
    const first = await session("First", "shared.txt", "first\n");
    expect((await land(first.id)).body.position).toBe(2);
    for (let i = 3; i <= LANDED; i++) {
      const s = await session(`File ${i}`, `f${i}.txt`, `${i}\n`);
      expect((await land(s.id)).body.position).toBe(i);
    }
    const index = await indexFor(f.forge.db, projectId, LANDED);
    expect(index.head).toBe(LANDED);
    expect(index.cached.evicted).toBeGreaterThan(0);
    expect(index.summary(0, 2)).toBeUndefined(); // only in landings.filter now
    const loadedBefore = indexCacheStats().loadedSummaries;

    const refused = await api(f.url, "POST", `${base}/sessions/${old.id}/land`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body.conflicts).toEqual([
      expect.objectContaining({ path: "shared.txt", position: 2, session_id: first.id, goal: "First" }),
    ]);
    expect(indexCacheStats().loadedSummaries).toBeGreaterThan(loadedBefore); // loaded back for the check
    expect(cachedIndexes()).toEqual([projectId]);
    expect(index.cached.bytes).toBeLessThanOrEqual(BUDGET);

    // The same answers as an index that holds every filter, for every base.
    const ask = async () => {
      const out = [];
      for (let b = 0; b < LANDED; b += 3) {
        for (const paths of [["shared.txt"], ["f7.txt", "f30.txt"], ["new.txt"], ["f9.txt/x"]])
          out.push([...(await conflictingPositions(f.forge.db, projectId, b, LANDED, paths))]);
      }
      return out;
    };
    const bounded = await ask();
    setIndexLimits({ projectBytes: Number.POSITIVE_INFINITY });
    const full = await indexFor(f.forge.db, projectId, LANDED);
    expect(full.cached.evicted).toBe(0);
    expect(await ask()).toEqual(bounded);
    expect(bounded[0]).toEqual([
      [1, ["shared.txt"]],
      [2, ["shared.txt"]],
    ]);
    setIndexLimits({ projectBytes: BUDGET });
  });

  it("keeps the most recently used projects' indexes within its bounds", async () => {
    setIndexLimits({ projectBytes: BUDGET, maxProjects: 1 });
    const a = await indexFor(f.forge.db, projectId, LANDED);
    expect(cachedIndexes()).toEqual([projectId]);
    await indexFor(f.forge.db, otherId, 0);
    expect(cachedIndexes()).toEqual([otherId]);
    const again = await indexFor(f.forge.db, projectId, LANDED);
    expect(again).not.toBe(a); // rebuilt from the database, equally answerable
    expect(again.head).toBe(LANDED);
    expect([...(await conflictingPositions(f.forge.db, projectId, 1, LANDED, ["shared.txt"]))]).toEqual([
      [2, ["shared.txt"]],
    ]);
    // Past the byte total, the least recently used indexes drop their summaries first …
    const a2 = await indexFor(f.forge.db, projectId, LANDED);
    const open = a2.residentBytes - a2.cached.bytes;
    setIndexLimits({ projectBytes: BUDGET, maxProjects: 10, totalBytes: open + 100 }, false);
    await indexFor(f.forge.db, otherId, 0);
    expect(cachedIndexes()).toEqual([projectId, otherId]);
    expect(a2.cached.summaries).toBe(0);
    expect([...(await conflictingPositions(f.forge.db, projectId, 1, LANDED, ["shared.txt"]))]).toEqual([
      [2, ["shared.txt"]],
    ]);
    expect(await indexFor(f.forge.db, projectId, LANDED)).toBe(a2); // no replay
    // … and only then the indexes themselves.
    setIndexLimits({ projectBytes: BUDGET, maxProjects: 10, totalBytes: 1 });
    await indexFor(f.forge.db, projectId, LANDED);
    await indexFor(f.forge.db, otherId, 0);
    expect(cachedIndexes()).toEqual([otherId]); // past the byte total only the one in use stays
  });
});
