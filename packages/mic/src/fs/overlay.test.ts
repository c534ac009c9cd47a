// Overlay property test: any sequence of writes, makes, removes and renames gives the same
// tree through the overlay as applying it to a real directory holding the base (a checkout);
// each operation fails in both or in neither; and the overlay's changes() applied to the base
// give that tree too (what `mic land` sends is exactly the edit).
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { blobId } from "./cache.ts";
import { type Base, Overlay } from "./overlay.ts";
import type { TreeEntry } from "./remote.ts";

const BASE: Record<string, string> = {
  "a/a": "one",
  "a/b/a": "two",
  "a/b/b": "three",
  b: "four",
  "c/a": "five",
};
const work = mkdtempSync(join(tmpdir(), "mic-overlay-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The base as the forge would list it: trees by path, blobs by id. */
function memoryBase(files: Record<string, string>): Base {
  const blobs = new Map<string, Buffer>();
  const dirs = new Map<string, Map<string, TreeEntry>>([["", new Map()]]);
  for (const [path, text] of Object.entries(files)) {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i - 1).join("/");
      const name = parts[i - 1]!;
      const listing = dirs.get(dir)!;
      if (i < parts.length) {
        const sub = parts.slice(0, i).join("/");
        if (!dirs.has(sub)) dirs.set(sub, new Map());
        listing.set(name, { name, mode: "040000", type: "tree", sha: `tree:${sub}`, size: null });
      } else {
        const data = Buffer.from(text);
        blobs.set(blobId(data), data);
        listing.set(name, { name, mode: "100644", type: "blob", sha: blobId(data), size: data.length });
      }
    }
  }
  return {
    list: async (p) => (dirs.has(p) ? [...dirs.get(p)!.values()] : null),
    blob: async (sha) => blobs.get(sha)!,
  };
}

function walkReal(root: string, rel = "", out = new Map<string, string>()) {
  for (const name of readdirSync(join(root, rel))) {
    const p = rel ? `${rel}/${name}` : name;
    if (statSync(join(root, p)).isDirectory()) {
      out.set(`${p}/`, "");
      walkReal(root, p, out);
    } else out.set(p, readFileSync(join(root, p), "utf8"));
  }
  return out;
}

async function walkOverlay(o: Overlay, rel = "", out = new Map<string, string>()) {
  for (const [name, node] of await o.list(rel)) {
    const p = rel ? `${rel}/${name}` : name;
    if (node.kind === "dir") {
      out.set(`${p}/`, "");
      await walkOverlay(o, p, out);
    } else out.set(p, (await o.read(node, 0, 1 << 20)).toString("utf8"));
  }
  return out;
}

const path = fc
  .array(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join("/"));
type Op =
  | { op: "write"; p: string; text: string }
  | { op: "mkdir" | "rm" | "rmdir"; p: string }
  | { op: "mv"; p: string; to: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("write" as const), p: path, text: fc.string({ maxLength: 6 }) }),
  fc.record({ op: fc.constantFrom("mkdir" as const, "rm" as const, "rmdir" as const), p: path }),
  fc.record({ op: fc.constant("mv" as const), p: path, to: path }),
);

const real = (root: string, o: Op) => {
  const at = join(root, o.p);
  if (o.op === "write") writeFileSync(at, o.text);
  else if (o.op === "mkdir") mkdirSync(at);
  else if (o.op === "rm") unlinkSync(at);
  else if (o.op === "rmdir") rmdirSync(at);
  else if (o.op === "mv") renameSync(at, join(root, o.to));
};

const viaOverlay = async (ov: Overlay, o: Op) => {
  if (o.op === "write") {
    await ov.create(o.p);
    await ov.truncate(o.p, 0);
    await ov.write(o.p, 0, Buffer.from(o.text));
  } else if (o.op === "mkdir") await ov.mkdir(o.p);
  else if (o.op === "rm") await ov.remove(o.p, false);
  else if (o.op === "rmdir") await ov.remove(o.p, true);
  else if (o.op === "mv") await ov.rename(o.p, o.to);
};

const outcome = async (f: () => unknown) => {
  try {
    await f();
    return "ok";
  } catch {
    return "failed";
  }
};

let run = 0;
describe("session overlay", () => {
  it("matches a checkout for any sequence of writes, renames and removes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
        const dir = join(work, String(++run));
        const checkout = join(dir, "checkout");
        for (const [p, text] of Object.entries(BASE)) {
          mkdirSync(join(checkout, p, ".."), { recursive: true });
          writeFileSync(join(checkout, p), text);
        }
        const base = memoryBase(BASE);
        const ov = new Overlay(base, join(dir, "overlay"));
        for (const o of ops) {
          const want = await outcome(() => real(checkout, o));
          expect(await outcome(() => viaOverlay(ov, o)), JSON.stringify(o)).toBe(want);
        }
        const expected = walkReal(checkout);
        expect(await walkOverlay(ov)).toEqual(expected);
        // Reloaded from disk (a restart of mic), the overlay is the same.
        expect(await walkOverlay(new Overlay(base, join(dir, "overlay")))).toEqual(expected);
        // Its changes applied to the base give the checkout's files.
        const files = new Map(Object.entries(BASE));
        for (const c of await ov.changes()) {
          if ("delete" in c) {
            expect(files.has(c.path), `delete ${c.path}`).toBe(true);
            files.delete(c.path);
          } else files.set(c.path, (await ov.contentOf(c)).toString("utf8"));
        }
        const expectedFiles = new Map([...expected].filter(([p]) => !p.endsWith("/")));
        expect(new Map([...files].sort())).toEqual(new Map([...expectedFiles].sort()));
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("copies on write: the base's bytes are read once, edits land in the overlay", async () => {
    const ov = new Overlay(memoryBase(BASE), join(work, "cow"));
    await ov.write("a/a", 1, Buffer.from("N"));
    expect((await ov.read((await ov.stat("a/a"))!, 0, 10)).toString()).toBe("oNe");
    expect(await ov.changes()).toEqual([
      { path: "a/a", mode: "100644", blob: undefined, local: expect.any(String) },
    ]);
    await ov.reset();
    expect(await ov.changes()).toEqual([]);
    expect((await ov.read((await ov.stat("a/a"))!, 0, 10)).toString()).toBe("one");
  });
});
