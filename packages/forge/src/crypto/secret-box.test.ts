// The secret box: any text survives sealing and opening; a sealed value is self-describing,
// never equal to another sealing of the same text (a new IV each time), and any change to any
// character of it is refused with a SecretBoxError; another key is told apart from damage;
// values without the prefix come back as legacy plaintext.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSecretBox, isSealed, KEY_BYTES, keyIdOf, SecretBoxError } from "./secret-box.ts";

const key = randomBytes(KEY_BYTES);
const box = createSecretBox(key);
const text = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 200 }), fc.constant(""));

function problemOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (err) {
    return err instanceof SecretBoxError ? err.problem : `not a SecretBoxError: ${err}`;
  }
}

describe("secret box", () => {
  it("round-trips any text, in the enc:v1:<key id>:<base64url> form", () => {
    fc.assert(
      fc.property(text, (plain) => {
        const sealed = box.seal(plain);
        expect(sealed).toMatch(new RegExp(`^enc:v1:${box.keyId}:[A-Za-z0-9_-]+$`));
        expect(isSealed(sealed)).toBe(true);
        expect(box.open(sealed)).toBe(plain);
        expect(box.reveal(sealed)).toEqual({ value: plain, legacy: false });
        // 12-byte IV, ciphertext as long as the UTF-8 text, 16-byte tag.
        const data = sealed.split(":")[3];
        expect(Buffer.from(data, "base64url").length).toBe(12 + Buffer.byteLength(plain) + 16);
      }),
    );
  });

  it("uses a new IV each time: sealing the same text twice never gives the same value", () => {
    fc.assert(
      fc.property(text, (plain) => {
        const a = box.seal(plain);
        const b = box.seal(plain);
        expect(a).not.toBe(b);
        expect(Buffer.from(a.split(":")[3], "base64url").subarray(0, 12)).not.toEqual(
          Buffer.from(b.split(":")[3], "base64url").subarray(0, 12),
        );
      }),
    );
  });

  it("refuses a sealed value with any one character changed, and reveal never yields the text", () => {
    fc.assert(
      fc.property(
        text,
        fc.nat(),
        fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)),
        (plain, at, ch) => {
          const sealed = box.seal(plain);
          const i = at % sealed.length;
          fc.pre(sealed[i] !== ch);
          const tampered = sealed.slice(0, i) + ch + sealed.slice(i + 1);
          expect(problemOf(() => box.open(tampered))).toMatch(/^(malformed|other-key|tampered)$/);
          // Without its "enc:" prefix it is no longer a sealed value: legacy text, not the secret.
          if (isSealed(tampered)) expect(problemOf(() => box.reveal(tampered))).not.toBeNull();
          else expect(box.reveal(tampered).value).not.toBe(plain);
        },
      ),
    );
  });

  it("refuses every one-character change of a sealed value, including unused padding bits", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:=+/ ";
    // Texts of 0, 1 and 2 bytes past a multiple of 3 end in differently padded base64url.
    for (const plain of ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "a", "ab", "abc"]) {
      const sealed = box.seal(plain);
      for (let i = 0; i < sealed.length; i++)
        for (const ch of alphabet) {
          if (sealed[i] === ch) continue;
          const tampered = sealed.slice(0, i) + ch + sealed.slice(i + 1);
          expect(
            problemOf(() => box.open(tampered)),
            tampered,
          ).toMatch(/^(malformed|other-key|tampered)$/);
        }
    }
  });

  it("refuses a sealed value with any one bit of its data flipped", () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.integer({ min: 0, max: 7 }), (plain, at, bit) => {
        const sealed = box.seal(plain);
        const [, , , data] = sealed.split(":");
        const bytes = Buffer.from(data, "base64url");
        bytes[at % bytes.length] ^= 1 << bit;
        const tampered = `${sealed.slice(0, sealed.length - data.length)}${bytes.toString("base64url")}`;
        expect(problemOf(() => box.open(tampered))).toBe("tampered");
      }),
    );
  });

  it("refuses values cut short, padded, or with parts missing", () => {
    const sealed = box.seal("JBSWY3DPEHPK3PXP");
    for (const bad of [
      sealed.slice(0, -1),
      `${sealed}=`,
      `${sealed}A`,
      sealed.slice(0, 20),
      `enc:v1:${box.keyId}:`,
      `enc:v1:${box.keyId}:${"A".repeat(37)}`, // 27 bytes: shorter than IV and tag
      "enc:",
      "enc:v1",
    ])
      expect(
        problemOf(() => box.open(bad)),
        bad,
      ).toMatch(/^(malformed|tampered)$/);
    expect(problemOf(() => box.open(sealed.replace("enc:v1:", "enc:v2:")))).toBe("malformed");
  });

  it("tells another key apart from damage, naming both key ids but never a key", () => {
    const otherKey = randomBytes(KEY_BYTES);
    const other = createSecretBox(otherKey);
    expect(other.keyId).not.toBe(box.keyId);
    expect(other.keyId).toBe(keyIdOf(otherKey));
    const sealed = other.seal("JBSWY3DPEHPK3PXP");
    let caught: unknown;
    try {
      box.open(sealed);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SecretBoxError);
    const err = caught as SecretBoxError;
    expect(err.problem).toBe("other-key");
    expect(err.message).toBe(
      `sealed with secret key ${other.keyId}, but this forge's secret key is ${box.keyId}`,
    );
    for (const k of [key, otherKey]) {
      expect(err.message).not.toContain(k.toString("hex"));
      expect(err.message).not.toContain(k.toString("base64"));
    }
    // The same key bytes make a box that opens it.
    expect(createSecretBox(Buffer.from(otherKey)).open(sealed)).toBe("JBSWY3DPEHPK3PXP");
  });

  it("hands back values without the prefix as legacy plaintext", () => {
    fc.assert(
      fc.property(
        text.filter((s) => !s.startsWith("enc:")),
        (plain) => {
          expect(box.reveal(plain)).toEqual({ value: plain, legacy: true });
          expect(problemOf(() => box.open(plain))).toBe("malformed");
        },
      ),
    );
  });

  it("refuses keys of the wrong size and text that is not well-formed Unicode", () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow("32 bytes");
    expect(() => box.seal("a\uD800b")).toThrow("well-formed");
  });
});
