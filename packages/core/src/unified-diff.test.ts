import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unifiedDiff } from "./unified-diff.ts";

const side = (path: string | null, text: string) => ({ path, content: Buffer.from(text) });

/** Applies a unified diff (as unifiedDiff writes it) to `old`, checking every context line. */
function apply(old: string, patch: string): string {
  const a = old === "" ? [] : old.split(/(?<=\n)/);
  const out: string[] = [];
  let at = 0;
  const lines = patch.split("\n").slice(2, -1);
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    const noEol = lines[k + 1] === "\\ No newline at end of file";
    const text = l.slice(1) + (noEol ? "" : "\n");
    if (l.startsWith("@@")) {
      const [, start, count] = /^@@ -(\d+)(?:,(\d+))? \+/.exec(l)!;
      const first = count === "0" ? Number(start) : Number(start) - 1;
      while (at < first) out.push(a[at++]!);
    } else if (l.startsWith(" ")) {
      expect(a[at]).toBe(text);
      out.push(a[at++]!);
    } else if (l.startsWith("-")) {
      expect(a[at]).toBe(text);
      at++;
    } else if (l.startsWith("+")) out.push(text);
  }
  while (at < a.length) out.push(a[at++]!);
  return out.join("");
}

const text = fc
  .array(fc.constantFrom("a", "b", "c", "d", ""), { maxLength: 40 })
  .chain((ls) => fc.boolean().map((eol) => (ls.length ? ls.join("\n") + (eol ? "\n" : "") : "")));

describe("unifiedDiff", () => {
  it("gives a patch that turns the old text into the new one, for any two texts", () => {
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 4 }), (before, after, context) => {
        const patch = unifiedDiff(side("f", before), side("f", after), context);
        if (before === after) expect(patch).toBe("");
        else expect(apply(before, patch)).toBe(after);
      }),
      { numRuns: 500 },
    );
  });

  it("writes patches git apply accepts and applies to the new text", () => {
    const dir = mkdtempSync(join(tmpdir(), "micelio-udiff-"));
    try {
      fc.assert(
        fc.property(text, text, (before, after) => {
          fc.pre(before !== after);
          writeFileSync(join(dir, "f"), before);
          writeFileSync(join(dir, "p.diff"), unifiedDiff(side("f", before), side("f", after)));
          execFileSync("git", ["apply", "--unidiff-zero", "p.diff"], { cwd: dir, stdio: "pipe" });
          expect(readFileSync(join(dir, "f"), "utf8")).toBe(after);
        }),
        { numRuns: 25 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes git's headers and hunks", () => {
    const old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
    const now = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n";
    expect(unifiedDiff(side("n.txt", old), side("n.txt", now))).toBe(
      "--- a/n.txt\n+++ b/n.txt\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
    );
    expect(unifiedDiff(side(null, ""), side("new.txt", "x\ny"))).toBe(
      "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n",
    );
    expect(unifiedDiff(side("gone.txt", "x\n"), side(null, ""))).toBe(
      "--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n",
    );
    expect(unifiedDiff(side("b.bin", "a\0b"), side("b.bin", "a\0c"))).toBe(
      "Binary files a/b.bin and b/b.bin differ\n",
    );
  });

  it("keeps far-apart changes in separate hunks and joins near ones", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `${i + 1}\n`);
    const far = [...lines];
    far[2] = "three\n";
    far[25] = "twenty-six\n";
    expect(unifiedDiff(side("f", lines.join("")), side("f", far.join(""))).match(/^@@/gm)).toHaveLength(2);
    const near = [...lines];
    near[2] = "three\n";
    near[9] = "ten\n"; // six unchanged lines between: one hunk with context 3
    expect(unifiedDiff(side("f", lines.join("")), side("f", near.join(""))).match(/^@@/gm)).toHaveLength(1);
  });
});
