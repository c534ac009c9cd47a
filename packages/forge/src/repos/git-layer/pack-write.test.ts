// Packs written by the git layer against git itself: git reads every object back, its own
// `index-pack` makes the same index from our pack byte for byte, `fsck` finds nothing wrong,
// and concurrent writes are gathered into fewer packs with each caller's ids in its order.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { GitRepo } from "./git-repo.ts";
import { formatTree, type ObjectType, objectId } from "./objects.ts";
import { crc32, entryHeader } from "./pack-write.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-pack-write-"));
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const git = (dir: string, args: string[], input?: Buffer) =>
  execFileSync("git", args, { cwd: dir, input, env: gitEnv, maxBuffer: 64 << 20 });
let n = 0;
const open: GitRepo[] = [];
function freshRepo() {
  const dir = join(work, `r${++n}.git`);
  execFileSync("git", ["init", "-q", "--bare", dir]);
  const repo = new GitRepo(dir, { timeoutMs: 10_000 });
  open.push(repo);
  return { dir, repo };
}
const packsIn = (dir: string) => readdirSync(join(dir, "objects", "pack")).filter((f) => f.endsWith(".pack"));
afterAll(() => {
  for (const r of open) r.close();
  rmSync(work, { recursive: true, force: true });
});

const object = fc.oneof(
  fc.record({
    type: fc.constant<ObjectType>("blob"),
    data: fc.uint8Array({ maxLength: 3000 }).map(Buffer.from),
  }),
  fc
    .array(
      fc.record({
        name: fc.stringMatching(/^[a-z0-9._-]{1,10}$/).filter((s) => s !== "." && s !== ".."),
        oid: fc.stringMatching(/^[0-9a-f]{40}$/),
      }),
      { minLength: 1, maxLength: 5 },
    )
    .map((es) => ({
      type: "tree" as ObjectType,
      data: formatTree([...new Map(es.map((e) => [e.name, { ...e, mode: "100644" }])).values()]),
    })),
);

describe("writeMany", () => {
  it("writes packs git reads back, indexes exactly as index-pack does and fscks clean", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(object, { minLength: 2, maxLength: 12 }), async (objects) => {
        const { dir, repo } = freshRepo();
        const ids = await repo.writeMany(objects);
        expect(ids).toEqual(objects.map((o) => objectId(o.type, o.data)));
        const [pack] = packsIn(dir);
        const path = join(dir, "objects", "pack", pack);
        const ours = readFileSync(path.replace(/\.pack$/, ".idx"));
        // git's own index of our pack, written elsewhere (index-pack hashes every entry again)
        const theirs = join(work, `check-${n}.idx`);
        git(dir, ["index-pack", "-o", theirs, path]);
        expect(ours.equals(readFileSync(theirs))).toBe(true);
        for (const [i, o] of objects.entries()) {
          expect(git(dir, ["cat-file", o.type, ids[i]]).equals(o.data)).toBe(true);
        }
        // trees name made-up blobs; fsck counts them missing, nothing else
        const fsck = execFileSync("git", ["fsck", "--no-dangling", "--connectivity-only"], {
          cwd: dir,
          env: gitEnv,
        });
        expect(fsck.toString()).not.toMatch(/corrupt|bad|error/i);
      }),
      { numRuns: 15 },
    );
  });

  it("gathers concurrent calls into fewer packs and answers each its own ids", async () => {
    const { dir, repo } = freshRepo();
    const calls = Array.from({ length: 20 }, (_, i) => [
      { type: "blob" as ObjectType, data: Buffer.from(`a${i}\n`) },
      { type: "blob" as ObjectType, data: Buffer.from(`b${i}\n`) },
    ]);
    const answers = await Promise.all(calls.map((c) => repo.writeMany(c)));
    for (const [i, c] of calls.entries()) expect(answers[i]).toEqual(c.map((o) => objectId(o.type, o.data)));
    expect(packsIn(dir).length).toBeLessThan(calls.length);
    for (const c of calls)
      expect(git(dir, ["cat-file", "blob", objectId("blob", c[1].data)]).equals(c[1].data)).toBe(true);
  });

  it("is read at once by the repository's long-lived reader, and one object is written loose", async () => {
    const { dir, repo } = freshRepo();
    expect(await repo.read(`${"0".repeat(39)}1`)).toBeNull(); // the reader is running
    const [a, b] = await repo.writeMany([
      { type: "blob", data: Buffer.from("one\n") },
      { type: "blob", data: Buffer.from("two\n") },
    ]);
    const other = new GitRepo(dir, { timeoutMs: 10_000 }); // nothing in memory: asks git
    open.push(other);
    expect((await other.read(a))?.data.toString()).toBe("one\n");
    expect((await other.read(b))?.data.toString()).toBe("two\n");
    const [c] = await repo.writeMany([{ type: "blob", data: Buffer.from("three\n") }]);
    expect(packsIn(dir)).toHaveLength(1);
    expect(readdirSync(join(dir, "objects", c.slice(0, 2)))).toEqual([c.slice(2)]);
  });

  it("refuses nothing git accepts in an entry header", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (size) => {
        const h = entryHeader("blob", size);
        let got = h[0] & 0x0f;
        let shift = 4;
        for (let i = 0; h[i] & 0x80; i++) {
          got += (h[i + 1] & 0x7f) * 2 ** shift;
          shift += 7;
        }
        expect((h[0] >> 4) & 7).toBe(3);
        expect(got).toBe(size);
      }),
    );
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926); // the CRC-32 check value
  });
});
