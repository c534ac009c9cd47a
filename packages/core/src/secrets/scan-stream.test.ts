// The streaming scan against scanDiff: the same findings for any patch naming each file once,
// however the bytes are cut (inside characters, lines, CRLFs), under any size cap (files over
// it skipped, long lines cut); a patch naming a file again is scanned section by section.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanDiff } from "./scan.ts";
import { DiffScanStream, scanDiffStream } from "./scan-stream.ts";
import { ALNUM, AWS_EXAMPLE_KEY_ID, AWS_EXAMPLE_SECRET, fakeChars, fakePem } from "./test-support.ts";

const secrets = [
  `key = "${AWS_EXAMPLE_KEY_ID}"`,
  `aws_secret_access_key = ${AWS_EXAMPLE_SECRET}`,
  `token: ghp_${fakeChars(ALNUM, 36, 3)}`,
  `password = "${fakeChars(ALNUM, 20, 5)}"`,
  ...fakePem().split("\n"),
];
const text = fc.oneof(
  fc.constantFrom(...secrets),
  fc.string({ maxLength: 40, unit: "grapheme" }),
  fc.constantFrom("", "x\r", "ü€😀 tail", "\\ No newline at end of file"),
);
const body = fc.array(fc.tuple(fc.constantFrom("+", "+", "-", " "), text), { minLength: 1, maxLength: 30 });

/** One file's section: headers and one or two hunks with correct counts. */
const section = (path: string, hunks: Array<Array<[string, string]>>) => {
  let out = `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n`;
  let at = 1;
  for (const lines of hunks) {
    const olds = lines.filter(([k]) => k !== "+").length;
    const news = lines.filter(([k]) => k !== "-").length;
    out += `@@ -${at},${olds} +${at},${news} @@\n`;
    for (const [k, t] of lines) out += k === "\\" ? `${t}\n` : `${k}${t}\n`;
    at += news + 5;
  }
  return out;
};
const paths = fc.constantFrom("a.ts", "src/b.env", "c d.txt", "lock/yarn.lock", "e");
const sections = fc.array(fc.tuple(paths, fc.array(body, { minLength: 1, maxLength: 2 })), {
  maxLength: 6,
});
/** Cuts bytes at the given fractions (anywhere, also inside a UTF-8 character). */
const cutAt = (buf: Buffer, cuts: number[]) => {
  const at = [...new Set(cuts.map((c) => Math.floor(c * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    out.push(buf.subarray(from, c));
    from = c;
  }
  out.push(buf.subarray(from));
  return out;
};
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
const caps = fc.constantFrom(undefined, 40, 200, 2000);

describe("streaming diff scan", () => {
  it("finds what scanDiff finds in a patch naming each file once, however it is cut (property)", async () => {
    await fc.assert(
      fc.asyncProperty(sections, cuts, caps, fc.string({ maxLength: 30 }), async (s, c, maxBytes, noise) => {
        const seen = new Set<string>();
        const once = s.filter(([p]) => !seen.has(p) && seen.add(p));
        const patch = `commit 1\n${noise}\n${once.map(([p, h]) => section(p, h)).join("")}`;
        const want = scanDiff(patch, { maxBytes });
        const got = await scanDiffStream(cutAt(Buffer.from(patch), c), { maxBytes });
        expect(got).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it("scans each section of a file named again on its own (property)", async () => {
    await fc.assert(
      fc.asyncProperty(sections, cuts, async (s, c) => {
        const parts = s.map(([p, h]) => `commit x\n\n${section(p, h)}`);
        const got = await scanDiffStream(cutAt(Buffer.from(parts.join("")), c));
        expect(got).toEqual(parts.flatMap((p) => scanDiff(p)));
      }),
      { numRuns: 200 },
    );
  });

  it("holds at most about one cap of a long line, and skips its file", () => {
    const scan = new DiffScanStream({ maxBytes: 1000 });
    scan.write(Buffer.from("diff --git a/big b/big\n+++ b/big\n@@ -0,0 +1,2 @@\n+"));
    for (let i = 0; i < 1000; i++) scan.write(Buffer.alloc(10_000, 0x61));
    scan.write(Buffer.from(`\n+${secrets[2]}\n`));
    scan.write(Buffer.from(`diff --git a/s b/s\n+++ b/s\n@@ -0,0 +1 @@\n+${secrets[2]}\n`));
    const found = scan.end();
    expect(found.map((f) => [f.path, f.line])).toEqual([["s", 1]]);
  });
});
