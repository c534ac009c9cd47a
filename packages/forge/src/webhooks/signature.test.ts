// Webhook signatures: a receiver's check accepts exactly the body that was signed, with the
// secret it was signed with (property test over bodies and secrets).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "./signature.ts";

describe("webhook signatures", () => {
  it("verifies the signed body and nothing else", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), (secret, body, other) => {
        const sig = signBody(secret, body);
        expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(verifySignature(secret, body, sig)).toBe(true);
        expect(verifySignature(`${secret}x`, body, sig)).toBe(false);
        if (other !== body) expect(verifySignature(secret, other, sig)).toBe(false);
      }),
    );
  });
  it("refuses a missing or malformed header", () => {
    expect(verifySignature("s", "b", undefined)).toBe(false);
    expect(verifySignature("s", "b", "sha256=00")).toBe(false);
    expect(verifySignature("s", "b", "")).toBe(false);
  });
});
