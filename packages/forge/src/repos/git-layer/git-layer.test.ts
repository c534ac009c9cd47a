// The git layer against git itself: its parsers on answers cut at any byte, trees and
// commits it writes have git's ids, line counts equal `git diff --numstat`, refs move by
// compare-and-swap, and a killed process fails its call cleanly and is started again.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lineDiff, splitLines } from "@micelio/core/line-diff";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { writeCommitIn } from "../../landing/git-land.ts";
import { GitRepo, ZERO_OID } from "./git-repo.ts";
import { formatTree, type GitObject, parseBatchAnswer, parseTree } from "./objects.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-git-layer-"));
const dir = join(work, "repo.git");
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const git = (args: string[], input?: string | Buffer, env: Record<string, string> = {}) =>
  execFileSync("git", args, { cwd: dir, input, env: { ...gitEnv, ...env } })
    .toString()
    .trim();
execFileSync("git", ["init", "-q", "--bare", dir]);
const repo = new GitRepo(dir, { timeoutMs: 10_000 });
afterAll(() => {
  repo.close();
  rmSync(work, { recursive: true, force: true });
});

const name = fc.stringMatching(/^[a-zA-Z0-9._ -]{1,12}$/).filter((s) => s !== "." && s !== "..");

describe("cat-file --batch answers", () => {
  it("parse back whole however the stream is cut", () => {
    const obj = fc.record({
      oid: fc.stringMatching(/^[0-9a-f]{40}$/),
      type: fc.constantFrom("blob", "tree", "commit", "tag"),
      data: fc.uint8Array({ maxLength: 200 }),
      missing: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(obj, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 50 }),
        (objs, cut) => {
          const wire = Buffer.concat(
            objs.map((o) =>
              o.missing
                ? Buffer.from(`${o.oid} missing\n`)
                : Buffer.concat([
                    Buffer.from(`${o.oid} ${o.type} ${o.data.length}\n`),
                    o.data,
                    Buffer.from("\n"),
                  ]),
            ),
          );
          const got: Array<GitObject | null> = [];
          let buf = Buffer.alloc(0);
          for (let i = 0; i < wire.length; i += cut) {
            buf = Buffer.concat([buf, wire.subarray(i, i + cut)]);
            for (let a = parseBatchAnswer(buf); a; a = parseBatchAnswer(buf)) {
              got.push(a.value);
              buf = buf.subarray(a.consumed);
            }
          }
          expect(buf.length).toBe(0);
          expect(got).toEqual(
            objs.map((o) => (o.missing ? null : { oid: o.oid, type: o.type, data: Buffer.from(o.data) })),
          );
        },
      ),
    );
  });
});

describe("objects written in process", () => {
  it("writes small and large blobs that git reads back with the same id", async () => {
    for (const size of [10, 64 * 1024, 64 * 1024 + 1, 600_000]) {
      const data = Buffer.alloc(size, `blob of ${size} `);
      const oid = await repo.write("blob", data);
      expect(oid).toBe(git(["hash-object", "--stdin"], data));
      expect(
        Buffer.compare(execFileSync("git", ["cat-file", "blob", oid], { cwd: dir, env: gitEnv }), data),
      ).toBe(0);
    }
  });

  it("trees have the ids git mktree gives them, and read back", async () => {
    const blob = git(["hash-object", "-w", "--stdin"], "x\n");
    const sub = git(["mktree"], `100644 blob ${blob}\tf\n`);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ name, dir: fc.boolean(), exec: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
          selector: (e) => e.name,
        }),
        async (entries) => {
          const tree = entries.map((e) => ({
            name: e.name,
            mode: e.dir ? "40000" : e.exec ? "100755" : "100644",
            oid: e.dir ? sub : blob,
          }));
          const ours = await repo.write("tree", formatTree(tree));
          const input = tree.map(
            (e) => `${e.mode === "40000" ? "040000 tree" : `${e.mode} blob`} ${e.oid}\t${e.name}`,
          );
          expect(ours).toBe(git(["mktree"], `${input.join("\n")}\n`));
          expect(git(["cat-file", "-t", ours])).toBe("tree");
          expect(new Set(await repo.readTree(ours))).toEqual(new Set(parseTree(formatTree(tree))));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("commits are byte for byte what git commit-tree writes", async () => {
    const tree = git(["mktree"], "");
    const env = {
      GIT_AUTHOR_NAME: "ada",
      GIT_AUTHOR_EMAIL: "ada@users.micelio.invalid",
      GIT_AUTHOR_DATE: "2024-05-06T07:08:09.123Z",
      GIT_COMMITTER_NAME: "Micelio",
      GIT_COMMITTER_EMAIL: "lander@micelio.invalid",
      GIT_COMMITTER_DATE: "2024-05-06T07:08:09.123Z",
    };
    const message = "Goal\n\n- a decision\n\nMicelio-Session: 01HZZZZZZZZZZZZZZZZZZZZZZZ\n";
    const first = await writeCommitIn(repo, tree, null, message, env);
    expect(first).toBe(git(["commit-tree", tree, "-F", "-"], message, env));
    const second = await writeCommitIn(repo, tree, first, message, env);
    expect(second).toBe(git(["commit-tree", tree, "-p", first, "-F", "-"], message, env));
  });

  it("counts lines added and removed for a minimal diff, never more than git diff --numstat", async () => {
    // Git's xdiff is not always minimal on repeated lines (even with --minimal), so the exact
    // count is checked against a longest-common-subsequence table, and git's as an upper bound.
    const lcs = (a: string[], b: string[]) => {
      let prev = new Array<number>(b.length + 1).fill(0);
      for (const x of a) {
        const row = [0];
        for (let j = 0; j < b.length; j++)
          row.push(x === b[j] ? prev[j]! + 1 : Math.max(prev[j + 1]!, row[j]!));
        prev = row;
      }
      return prev[b.length]!;
    };
    const text = fc
      .array(fc.constantFrom("a", "b", "c", "d", ""), { maxLength: 12 })
      .map((ls) => ls.join("\n"));
    await fc.assert(
      fc.asyncProperty(text, text, async (a, b) => {
        const [x, y] = [a, b].map((t) => git(["hash-object", "-w", "--stdin"], t));
        const numstat = git(["diff", "--numstat", x, y]);
        const [added, removed] = numstat ? numstat.split("\t").map(Number) : [0, 0];
        const [la, lb] = [splitLines(a), splitLines(b)];
        const d = lineDiff(la, lb);
        const common = lcs(la, lb);
        expect({ added: d.added, removed: d.removed }).toEqual({
          added: lb.length - common,
          removed: la.length - common,
        });
        expect(d.added).toBeLessThanOrEqual(added!);
        expect(d.removed).toBeLessThanOrEqual(removed!);
        expect(d.addedLines).toHaveLength(d.added);
        for (const n of d.addedLines) expect(n).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 80 },
    );
  }, 300_000);
});

describe("long-lived processes", () => {
  it("moves refs by compare-and-swap and sees refs moved by others", async () => {
    const tree = git(["mktree"], "");
    const env = {
      GIT_AUTHOR_NAME: "a",
      GIT_AUTHOR_EMAIL: "a@x",
      GIT_COMMITTER_NAME: "a",
      GIT_COMMITTER_EMAIL: "a@x",
    };
    const c1 = git(["commit-tree", tree, "-m", "one"], undefined, env);
    const c2 = git(["commit-tree", tree, "-p", c1, "-m", "two"], undefined, env);
    const ref = "refs/heads/cas";
    expect(await repo.resolveCommit(ref)).toBeNull();
    expect(await repo.updateRefs([{ ref, next: c1, expected: ZERO_OID }], "test")).toBe(true);
    expect(await repo.updateRefs([{ ref, next: c2, expected: ZERO_OID }], "test")).toBe(false);
    expect(await repo.resolveCommit(ref)).toBe(c1);
    git(["update-ref", ref, c2, c1]);
    expect(await repo.resolveCommit(ref)).toBe(c2);
    expect(await repo.updateRefs([{ ref, next: c1, expected: c1 }], "test")).toBe(false);
    expect(await repo.updateRefs([{ ref, next: c1, expected: c2 }], "test")).toBe(true);
    expect(git(["rev-parse", ref])).toBe(c1);
  });

  it("answers objects it wrote or read by full id from memory, never a missing one", async () => {
    const reader = (repo as unknown as { reader: { kill(): void; starts: number } }).reader;
    const oid = await repo.write("blob", Buffer.from("kept in memory\n"));
    expect(git(["cat-file", "-p", oid])).toBe("kept in memory");
    const starts = reader.starts;
    reader.kill();
    expect((await repo.read(oid))?.data.toString()).toBe("kept in memory\n");
    expect(reader.starts).toBe(starts); // no process was needed
    const missing = "1".repeat(40);
    expect(await repo.read(missing)).toBeNull();
    expect(await repo.read(missing)).toBeNull();
  });

  it("fails the calls of a killed process cleanly and starts a new one on the next call", async () => {
    const blob = git(["hash-object", "-w", "--stdin"], "hello\n");
    expect((await repo.read(blob))?.data.toString()).toBe("hello\n");
    const reader = (repo as unknown as { reader: { kill(): void; starts: number } }).reader;
    const starts = reader.starts;
    // Not by full id: that is answered from memory once read.
    const inFlight = repo.read(`${blob}^{blob}`);
    reader.kill();
    await expect(inFlight).rejects.toThrow(/cat-file killed/);
    expect((await repo.read(`${blob}^{blob}`))?.data.toString()).toBe("hello\n");
    expect(reader.starts).toBe(starts + 1);
    expect(await repo.read("0".repeat(40))).toBeNull();
    await expect(repo.read("bad\nname")).rejects.toThrow(/bad object name/);
  });
});
