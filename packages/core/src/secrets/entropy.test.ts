import { describe, expect, it } from "vitest";
import { characterClasses, shannonEntropy } from "./entropy.ts";
import { identifierWords, isPlaceholder, isSequential, namesSecret } from "./heuristics.ts";

describe("shannonEntropy", () => {
  it("measures bits per character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abab")).toBe(1);
    expect(shannonEntropy("abcdefghijklmnop")).toBe(4);
    expect(shannonEntropy("0123456789abcdef".repeat(4))).toBe(4);
  });

  it("counts code points, not UTF-16 units", () => {
    expect(shannonEntropy("😀😀")).toBe(0);
  });

  it("counts character classes", () => {
    expect(characterClasses("abc")).toBe(1);
    expect(characterClasses("aB3/")).toBe(4);
  });
});

describe("heuristics", () => {
  it("recognises sequential and repeated strings", () => {
    expect(isSequential("abcdefghijklmnop")).toBe(true);
    expect(isSequential("9876543210")).toBe(true);
    expect(isSequential("abcabcabcabc")).toBe(true);
    expect(isSequential("q8Zr4Tf9Lk2Pw7Xv")).toBe(false);
  });

  it("recognises placeholders", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder under test
    for (const p of ["changeme", "<your-key>", "${VAR}", "process.env.X", "os.environ['X']", "xxxxxxxx"]) {
      expect(isPlaceholder(p), p).toBe(true);
    }
    expect(isPlaceholder("q8Zr4Tf9Lk2Pw7Xv")).toBe(false);
  });

  it("splits identifiers and tells secret names from descriptive ones", () => {
    expect(identifierWords("dbPassword")).toEqual(["db", "password"]);
    expect(identifierWords("AWS_SECRET_ACCESS_KEY")).toEqual(["aws", "secret", "access", "key"]);
    expect(identifierWords("HTTPApiKey")).toEqual(["http", "api", "key"]);
    for (const n of [
      "password",
      "API_KEY",
      "apiKey",
      "client-secret",
      "authToken",
      "GITHUB_TOKEN",
      "spring.datasource.password",
    ]) {
      expect(namesSecret(n), n).toBe(true);
    }
    for (const n of ["tokenizer", "token_url", "secretName", "password_hash", "key", "monkey"]) {
      expect(namesSecret(n), n).toBe(false);
    }
  });
});
