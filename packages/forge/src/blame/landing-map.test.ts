// The commit → landing search on a real repository, against its definition checked by brute
// force (the lowest position whose commit has the commit as an ancestor): linear landings,
// multi-commit pushes with merged side branches, history from before the first landing, and
// commits that never reached trunk. Also the porcelain parser. Git runs asynchronously.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitEnv } from "../repos/git.ts";
import { parsePorcelain, unquotePath } from "./blame-git.ts";
import { groupHunks } from "./blame-service.ts";
import { type LandingStore, mapToLandings } from "./landing-map.ts";

const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "micelio-landing-map-"));
const dir = join(work, "repo");
const env = gitEnv({
  GIT_AUTHOR_NAME: "T",
  GIT_AUTHOR_EMAIL: "t@x",
  GIT_COMMITTER_NAME: "T",
  GIT_COMMITTER_EMAIL: "t@x",
});
const git = async (...args: string[]) => (await exec("git", args, { cwd: dir, env })).stdout.trim();
let n = 0;
const commit = async (msg: string) => {
  writeFileSync(join(dir, "f.txt"), `${n++}\n`);
  await git("add", "f.txt");
  await git("commit", "-q", "-m", msg);
  return git("rev-parse", "HEAD");
};

interface Landing {
  commit: string;
  parent: string | null;
}

function store(landings: Landing[]): LandingStore & { probes: number } {
  const s = {
    probes: 0,
    head: async () => landings.length,
    at: async (p: number) => {
      s.probes++;
      return landings[p - 1];
    },
    byCommits: async (shas: string[]) => {
      const out = new Map<string, number>();
      landings.forEach((l, i) => {
        if (shas.includes(l.commit) && !out.has(l.commit)) out.set(l.commit, i + 1);
      });
      return out;
    },
  };
  return s;
}

describe("mapToLandings", () => {
  const landings: Landing[] = [];
  let pre: string[] = [];
  let offTrunk = "";
  let all: string[] = [];
  const land = async (commits: () => Promise<void>) => {
    const parent = await git("rev-parse", "HEAD");
    await commits();
    landings.push({ commit: await git("rev-parse", "HEAD"), parent });
  };

  beforeAll(async () => {
    await exec("git", ["init", "-q", "-b", "main", dir], { env });
    pre = [await commit("imported 1"), await commit("imported 2")];
    for (let i = 0; i < 5; i++) await land(async () => void (await commit(`session ${i}`)));
    // A push of three commits plus a merged side branch.
    await land(async () => {
      await commit("push a");
      await git("checkout", "-q", "-b", "side");
      await commit("side 1");
      await commit("side 2");
      await git("checkout", "-q", "main");
      await commit("push b");
      await git("merge", "-q", "--no-ff", "-X", "theirs", "-m", "merge side", "side");
      await commit("push c");
    });
    for (let i = 0; i < 9; i++) await land(async () => void (await commit(`later ${i}`)));
    await land(async () => {
      await commit("second push a");
      await commit("second push b");
    });
    await land(async () => void (await commit("last")));
    await git("checkout", "-q", "-b", "feature");
    offTrunk = await commit("never landed");
    await git("checkout", "-q", "main");
    all = (await git("rev-list", "--all")).split("\n");
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("agrees with the brute-force definition for every commit", async () => {
    // Brute force: each landing's full set of ancestors, the lowest position first.
    const ancestors = (c: string) => git("rev-list", c).then((out) => new Set(out.split("\n")));
    const before = await ancestors(landings[0]!.parent!);
    const sets = await Promise.all(landings.map((l) => ancestors(l.commit)));
    const expected = new Map<string, number>();
    for (const c of all) {
      const p = sets.findIndex((set) => set.has(c));
      if (p >= 0 && !before.has(c)) expected.set(c, p + 1);
    }
    const started = Date.now();
    const s = store(landings);
    const got = await mapToLandings(dir, s, all);
    expect(got.complete).toBe(true);
    expect(got.positions).toEqual(expected);
    for (const c of [...pre, offTrunk]) expect(got.positions.has(c)).toBe(false);
    const side = await git("rev-parse", "side");
    expect(got.positions.get(side)).toBe(6);
    expect(s.probes).toBeLessThan(60);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("maps landing commits without walking history, and stops at the first landing's parent", async () => {
    const s = store(landings);
    const direct = await mapToLandings(dir, s, [landings[3]!.commit]);
    expect(direct.positions.get(landings[3]!.commit)).toBe(4);
    expect(s.probes).toBe(0);
    const none = await mapToLandings(dir, store([]), [pre[0]!]);
    expect(none).toEqual({ positions: new Map(), complete: true });
    // With no parent below the first landing, everything before it belongs to it.
    const rooted = [{ ...landings[0]!, parent: null }, ...landings.slice(1)];
    expect((await mapToLandings(dir, store(rooted), pre)).positions.get(pre[0]!)).toBe(1);
  });
});

describe("blame porcelain", () => {
  it("parses lines, commit headers once per commit, quoted file names and CRLF", () => {
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    const text = [
      `${a} 1 1 2`,
      "author Ada",
      "author-mail <ada@x>",
      "author-time 1700000000",
      "summary First",
      "boundary",
      'filename "d\\303\\251j\\303\\240 \\"vu\\".txt"',
      "\tline one\r",
      `${a} 2 2`,
      "\tline two",
      `${b} 1 3 1`,
      "author Bo",
      "author-mail <bo@x>",
      "author-time 1700000100",
      "summary Second",
      `previous ${a} x.txt`,
      "filename x.txt",
      "\t",
      "",
    ].join("\n");
    const r = parsePorcelain(text);
    expect(r.lines).toEqual([
      { line: 1, commit: a, originalLine: 1, content: "line one" },
      { line: 2, commit: a, originalLine: 2, content: "line two" },
      { line: 3, commit: b, originalLine: 1, content: "" },
    ]);
    expect(r.commits.get(a)).toMatchObject({
      author: { name: "Ada", email: "ada@x" },
      summary: "First",
      boundary: true,
      filename: 'déjà "vu".txt',
    });
    expect(r.commits.get(a)!.date.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(r.commits.get(b)).toMatchObject({ summary: "Second", filename: "x.txt", boundary: false });
    expect(unquotePath("plain name")).toBe("plain name");
    expect(unquotePath('"tab\\there"')).toBe("tab\there");
  });

  it("groups consecutive lines by landing, or by commit without one", () => {
    const line = (n: number, commit: string) => ({ line: n, commit, originalLine: n, content: "" });
    const commits = new Map([
      ["a", { position: 1 }],
      ["b", { position: 1 }],
      ["c", { position: null }],
      ["d", { position: null }],
    ]);
    const lines = [line(1, "a"), line(2, "b"), line(3, "c"), line(4, "d"), line(5, "d"), line(6, "a")];
    expect(groupHunks(lines, commits)).toEqual([
      { start: 1, end: 2, position: 1, commits: ["a", "b"] },
      { start: 3, end: 3, position: null, commits: ["c"] },
      { start: 4, end: 5, position: null, commits: ["d"] },
      { start: 6, end: 6, position: 1, commits: ["a"] },
    ]);
  });
});
