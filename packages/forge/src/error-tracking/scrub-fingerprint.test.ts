// Error context is scrubbed of secrets whatever its shape (property test), and fingerprints
// group the same error across ids, numbers and line numbers while telling different ones apart.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fingerprint, normalizeMessage, topFrames } from "./fingerprint.ts";
import { SCRUBBED, scrub, scrubText } from "./scrub.ts";

describe("scrubbing error context", () => {
  it("replaces values under secret-looking keys, at any depth (property)", () => {
    const secretKey = fc.constantFrom(
      "password",
      "token",
      "Authorization",
      "cookie",
      "api_key",
      "clientSecret",
    );
    fc.assert(
      fc.property(secretKey, fc.string({ minLength: 1 }), fc.nat(3), (key, value, depth) => {
        let obj: Record<string, unknown> = { [key]: value };
        for (let i = 0; i < depth; i++) obj = { nested: obj };
        const out = JSON.stringify(scrub(obj));
        expect(out).toContain(SCRUBBED);
        if (value.length > 3 && !SCRUBBED.includes(value) && !"nested".includes(value))
          expect(out).not.toContain(JSON.stringify(value).slice(1, -1));
      }),
    );
  });
  it("replaces token-shaped strings anywhere", () => {
    expect(scrubText("auth with mic_abcdefghijkl1234 failed")).toBe("auth with mic_[scrubbed] failed");
    expect(scrubText("Bearer abcdefghijklmnop")).toBe("Bearer [scrubbed]");
    expect(scrubText("postgres://user:hunter2@db/x")).toBe("postgres://user:[scrubbed]@db/x");
    expect(scrub({ url: "smtp://a:b@c", n: 1, ok: true })).toEqual({
      url: "smtp://a:[scrubbed]@c",
      n: 1,
      ok: true,
    });
  });
  it("bounds depth and size", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(JSON.stringify(scrub(deep))).toContain("[…]");
    expect((scrub("x".repeat(5000)) as string).length).toBeLessThan(2100);
  });
});

describe("error fingerprints", () => {
  const stack = (line: number) =>
    `Error: boom\n    at load (file:///srv/app/packages/forge/src/a.ts:${line}:7)\n    at run (/srv/app/packages/forge/src/b.ts:3:1)`;
  it("are equal for the same error with other numbers, ids and lines", () => {
    const a = fingerprint("request", "Error", "no row 12 for 01HZX3V4W5Y6Z7A8B9C0D1E2F3", stack(10));
    const b = fingerprint("request", "Error", "no row 99 for 01HZX3V4W5Y6Z7A8B9C0D1E2G4", stack(42));
    expect(a).toBe(b);
  });
  it("differ by kind, name, message shape and frames", () => {
    const base = fingerprint("request", "Error", "no row 1", stack(1));
    expect(fingerprint("job", "Error", "no row 1", stack(1))).not.toBe(base);
    expect(fingerprint("request", "TypeError", "no row 1", stack(1))).not.toBe(base);
    expect(fingerprint("request", "Error", "no column 1", stack(1))).not.toBe(base);
    expect(fingerprint("request", "Error", "no row 1", stack(1).replace("load", "save"))).not.toBe(base);
  });
  it("normalizes messages and frames", () => {
    expect(normalizeMessage('file "/x/y" missing after 3 tries')).toBe("file <str> missing after <n> tries");
    expect(topFrames(stack(5))).toEqual(["load (packages/forge/src/a.ts", "run (packages/forge/src/b.ts"]);
  });
});
