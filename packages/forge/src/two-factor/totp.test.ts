// The TOTP primitives against the published test vectors (RFC 4226 appendix D, RFC 6238
// appendix B, SHA-1 secret "12345678901234567890"), plus properties of base32 and of the
// ±1-step acceptance window.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  base32Decode,
  base32Encode,
  hotp,
  matchTotp,
  otpauthUri,
  STEP_SECONDS,
  timeStep,
  totp,
} from "./totp.ts";

const RFC_KEY = Buffer.from("12345678901234567890", "ascii");

/** RFC 6238 appendix B, SHA1 column: Unix time in seconds → 8-digit TOTP. */
const RFC6238_SHA1: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP", () => {
  it("matches the RFC 4226 HOTP vectors", () => {
    const expected = [
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ];
    expect(expected.map((_, counter) => hotp(RFC_KEY, counter))).toEqual(expected);
  });

  it("matches the RFC 6238 SHA-1 vectors", () => {
    for (const [seconds, code] of RFC6238_SHA1)
      expect(totp(RFC_KEY, seconds * 1000, 8), String(seconds)).toBe(code);
  });

  it("gives the vector's code anywhere in its 30-second step, and the last 6 digits at 6 digits", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RFC6238_SHA1),
        fc.integer({ min: 0, max: STEP_SECONDS * 1000 - 1 }),
        ([seconds, code], offsetMs) => {
          const start = Math.floor(seconds / STEP_SECONDS) * STEP_SECONDS * 1000;
          expect(totp(RFC_KEY, start + offsetMs, 8)).toBe(code);
          expect(totp(RFC_KEY, start + offsetMs)).toBe(code.slice(2));
        },
      ),
    );
  });

  it("round-trips any bytes through base32, in any case and with spaces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base32Encode(bytes);
        expect(text).toMatch(/^[A-Z2-7]*$/);
        expect([...base32Decode(text)!]).toEqual([...bytes]);
        expect([...base32Decode(text.toLowerCase().replace(/(.{4})/g, "$1 "))!]).toEqual([...bytes]);
      }),
    );
    expect(base32Encode(Buffer.from("12345678901234567890"))).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(base32Decode("not base32!")).toBeNull();
  });

  it("accepts a code from the previous, current or next step, never further, and says which step", () => {
    const secret = base32Encode(RFC_KEY);
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000, max: 4_000_000_000 }),
        fc.integer({ min: -3, max: 3 }),
        (s, d) => {
          const now = s * 1000;
          const code = totp(RFC_KEY, now + d * STEP_SECONDS * 1000);
          const step = matchTotp(secret, code, now);
          if (Math.abs(d) <= 1) expect(step).toBe(timeStep(now) + d);
          // A code from further away may only match by coincidence with a nearby step's code.
          else if (step !== null) expect(totp(RFC_KEY, step * STEP_SECONDS * 1000)).toBe(code);
        },
      ),
    );
  });

  it("refuses malformed codes", () => {
    const secret = base32Encode(RFC_KEY);
    for (const bad of ["", "12345", "1234567", "abcdef", "12 34 5x"])
      expect(matchTotp(secret, bad, 59_000)).toBeNull();
    expect(matchTotp("!!!", "287082", 59_000)).toBeNull();
  });

  it("builds an otpauth URI with the issuer, account and parameters apps expect", () => {
    const uri = new URL(otpauthUri("Micelio", "alice", "JBSWY3DPEHPK3PXP"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Micelio:alice");
    expect(uri.searchParams.get("secret")).toBe("JBSWY3DPEHPK3PXP");
    expect(uri.searchParams.get("issuer")).toBe("Micelio");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
  });
});
