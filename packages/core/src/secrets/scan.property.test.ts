import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { characterClasses, shannonEntropy } from "./entropy.ts";
import { isPlaceholder, isSequential, looksLikeFiller } from "./heuristics.ts";
import { GENERIC_MIN_ENTROPY } from "./patterns.ts";
import { scanDiff, scanText } from "./scan.ts";
import { ALNUM, AWS_EXAMPLE_SECRET, BASE64URL, UPPER_ALNUM } from "./test-support.ts";

// Random strings that look random: draws such as "AAAAAAAbAAkG…" have too little entropy
// to be told from filler, and the scanner rightly ignores them, so they are left out here.
const chars = (alphabet: string, length: number) =>
  fc
    .array(fc.constantFrom(...alphabet), { minLength: length, maxLength: length })
    .map((a) => a.join(""))
    .filter(
      (s) =>
        shannonEntropy(s) >= GENERIC_MIN_ENTROPY &&
        characterClasses(s) >= 2 &&
        !looksLikeFiller(s) &&
        !isSequential(s) &&
        !isPlaceholder(s),
    );

// Well-formed fake secrets of several kinds, drawn at random.
const secretArb = fc.oneof(
  chars(UPPER_ALNUM, 16).map((s) => `AKIA${s}`),
  chars(ALNUM, 36).map((s) => `ghp_${s}`),
  chars(ALNUM, 36).map((s) => `npm_${s}`),
  chars(BASE64URL, 40).map((s) => `mic_${s}`),
  chars(ALNUM, 24).map((s) => `sk_live_${s}`),
  chars(ALNUM, 20).map((s) => `password = "${s}"`),
  fc.constant(`aws_secret_access_key = ${AWS_EXAMPLE_SECRET}`),
);

describe("scanner properties", () => {
  it("never returns a secret in a finding, wherever it is embedded", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        secretArb,
        fc.string({ maxLength: 200 }),
        (before, s, after) => {
          const text = `${before}\n${s}\n${after}`;
          // The secret proper: the value of an assignment, or the whole token.
          const secret = /"([^"]+)"$/.exec(s)?.[1] ?? s.split(" = ").pop()!;
          const findings = scanText("f.txt", text);
          expect(findings.length).toBeGreaterThan(0);
          for (const f of findings) expect(JSON.stringify(f)).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text or patches", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000, unit: "grapheme" }), (s) => {
        expect(Array.isArray(scanText("any", s))).toBe(true);
        expect(Array.isArray(scanDiff(s))).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 500, unit: "binary" }), (s) => {
        scanText("any", s);
        scanDiff(`+++ b/x\n@@ -0,0 +1,3 @@\n+${s}`);
      }),
      { numRuns: 300 },
    );
  });

  it("runs on 1 MB of random text", () => {
    const alphabet = `${ALNUM} =:"'\n-_/+.`;
    let seed = 12345;
    let out = "";
    for (let i = 0; i < 1024 * 1024; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      out += alphabet[seed % alphabet.length];
    }
    expect(Array.isArray(scanText("random.txt", out))).toBe(true);
  });

  it("finishes on 1 MB adversarial inputs (no catastrophic backtracking)", () => {
    const mb = 1024 * 1024;
    const fill = (unit: string) => unit.repeat(Math.ceil(mb / unit.length)).slice(0, mb);
    const inputs = [
      fill("a="),
      fill('"'),
      fill("-----BEGIN "),
      fill('a="'),
      fill("-----BEGIN PRIVATE KEY-----"),
      fill("password="),
      fill('token: "'),
      fill("secret_token_"),
      fill("aws_secret_access_key="),
      fill("AKIA"),
      fill("sk-"),
      fill("a"),
      `aws\n${fill("A/")}`,
      fill("xoxb-1-"),
      fill("ghp_a"),
    ];
    for (const input of inputs) {
      expect(Array.isArray(scanText("adversarial.txt", input))).toBe(true);
      expect(Array.isArray(scanText("adversarial.txt", input.replaceAll("=", "=\n")))).toBe(true);
    }
  });
});
