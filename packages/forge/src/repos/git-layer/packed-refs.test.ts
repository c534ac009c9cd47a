// packed-refs read as git reads it: parsed as git writes it, and never a ref missed while
// `git pack-refs` (repository upkeep) moves loose refs into the file — the readers look at the
// loose files first and at packed-refs second, as git does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runGit } from "../../testing/git.ts";
import { lsRefs } from "../ls-refs.ts";
import { parsePackedRefs, readPackedRefs } from "./packed-refs.ts";
import { invalidateRefs, refsUnder, resolveRef } from "./ref-cache.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-packed-refs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const A = "a".repeat(40);
const B = "b".repeat(40);

describe("parsePackedRefs", () => {
  it("reads refs, peeled tags and whether every tag was peeled", () => {
    const text = `# pack-refs with: peeled fully-peeled sorted \n${A} refs/heads/main\n${B} refs/tags/v1\n^${A}\n`;
    const p = parsePackedRefs(text);
    expect([...p.refs]).toEqual([
      ["refs/heads/main", A],
      ["refs/tags/v1", B],
    ]);
    expect(p.peeled.get("refs/tags/v1")).toBe(A);
    expect(p.peeled.get("refs/heads/main")).toBeNull(); // fully peeled: not a tag
    expect(p.clean).toBe(true);
    expect(parsePackedRefs(`${A} refs/heads/main\n`).peeled.size).toBe(0);
  });

  it("skips what git does not write and says so", () => {
    for (const bad of [
      `^${A}\n`,
      `${A} refs/heads/a..b\n`,
      `${A} refs/heads/x extra\n`,
      `zz refs/heads/x\n`,
    ]) {
      const p = parsePackedRefs(`${bad}${B} refs/heads/ok\n`);
      expect([bad, p.clean, [...p.refs.keys()]]).toEqual([bad, false, ["refs/heads/ok"]]);
    }
  });

  it("gives back every ref of any file git could write", () => {
    const name = fc
      .array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 3 })
      .map((parts) => `refs/heads/${parts.join("/")}`);
    const oid = fc.stringMatching(/^[0-9a-f]{40}$/);
    fc.assert(
      fc.property(fc.dictionary(name, oid), fc.boolean(), (refs, fully) => {
        const lines = Object.entries(refs).map(([n, o]) => `${o} ${n}`);
        const head = fully ? "# pack-refs with: peeled fully-peeled sorted \n" : "";
        const p = parsePackedRefs(`${head}${lines.join("\n")}\n`);
        expect(Object.fromEntries(p.refs)).toEqual(refs);
        expect(p.clean).toBe(true);
      }),
    );
  });
});

describe("reading refs while git pack-refs runs", () => {
  it("never misses a ref, in the ref cache or in ls-refs", async () => {
    const dir = join(work, "repo.git");
    await runGit(work, "init", "-q", "--bare", dir);
    const tree = await runGit(dir, "hash-object", "-t", "tree", "-w", "/dev/null");
    const commit = await runGit(dir, "commit-tree", tree, "-m", "c");
    const names = Array.from({ length: 400 }, (_, i) => `refs/heads/b${String(i).padStart(3, "0")}`);
    const count = (answer: Buffer | null) =>
      answer ? answer.toString().split(" refs/heads/").length - 1 : null;
    let looks = 0;
    for (let round = 0; round < 6; round++) {
      // Every ref loose again (identical to its packed copy), then packed while being read.
      for (const name of names) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), `${commit}\n`);
      }
      let packing = true;
      const packed = runGit(dir, "pack-refs", "--all").finally(() => {
        packing = false;
      });
      while (packing) {
        invalidateRefs(dir); // as the exit of any ref-writing git does
        expect((await refsUnder(dir, "refs/heads/")).size).toBe(names.length);
        expect(await resolveRef(dir, names[round * 50]!)).toBe(commit);
        const args = { symrefs: false, peel: false, unborn: false, prefixes: ["refs/heads/"] };
        const listed = count(await lsRefs(dir, args, async () => null));
        if (listed !== null) expect(listed).toBe(names.length); // null: left to git
        looks++;
      }
      await packed;
    }
    expect(looks).toBeGreaterThan(0);
    expect((await readPackedRefs(dir)).refs.size).toBe(names.length);
  });
});
