import { describe, expect, it } from "vitest";
import { formatFinding } from "./index.ts";
import { isBinary, isLockfile, redactSecret, scanFiles, scanText, skipReason } from "./scan.ts";
import { ALNUM, AWS_EXAMPLE_KEY_ID, AWS_EXAMPLE_SECRET, fakeChars, fakePem } from "./test-support.ts";

const npmToken = `npm_${fakeChars(ALNUM, 36, 31)}`;
const generic = fakeChars(ALNUM, 24, 32);

describe("scanText", () => {
  it("gives 1-based lines and columns in multi-line files", () => {
    const content = [
      "// config",
      "",
      "export const region = 'eu-west-1';",
      `export const keyId = "${AWS_EXAMPLE_KEY_ID}";`,
      "",
      `  npm: ${npmToken}, other: ${AWS_EXAMPLE_KEY_ID}`,
    ].join("\n");
    const findings = scanText("src/config.ts", content);
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ["aws-access-key-id", 4, 23],
      ["npm-token", 6, 8],
      ["aws-access-key-id", 6, 57],
    ]);
    expect(content.split("\n")[5]!.slice(7, 7 + npmToken.length)).toBe(npmToken);
  });

  it("counts CRLF lines like LF lines", () => {
    const findings = scanText("a.txt", `one\r\ntwo\r\nkey ${AWS_EXAMPLE_KEY_ID}\r\n`);
    expect(findings.map((f) => [f.line, f.column])).toEqual([[3, 5]]);
  });

  it("reports a private key once, on its header line", () => {
    const findings = scanText("keys/id_rsa", `# deploy key\n${fakePem()}\n`);
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([["private-key", 2, 1]]);
  });

  it("formats a finding as one redacted line", () => {
    const [f] = scanText("src/config.ts", `\n\n\n\n\n\n\n\n\n\n\nconst k = "${AWS_EXAMPLE_KEY_ID}";\n`);
    expect(formatFinding(f!)).toBe("src/config.ts:12: AWS access key id (AKIA…, 20 chars)");
    expect(f).toEqual({
      rule: "aws-access-key-id",
      description: "AWS access key id",
      path: "src/config.ts",
      line: 12,
      column: 12,
      preview: "AKIA…, 20 chars",
    });
  });

  it("never puts a secret in its findings", () => {
    const content = `${fakePem()}\naws_secret_access_key = ${AWS_EXAMPLE_SECRET}\npassword="${generic}"\n${npmToken}\n`;
    const json = JSON.stringify(scanText("x", content));
    for (const secret of [AWS_EXAMPLE_SECRET, generic, npmToken, fakePem().split("\n")[1]!]) {
      expect(json).not.toContain(secret);
    }
  });

  it("lets an inline marker allow a line", () => {
    const content = [
      `const a = "${AWS_EXAMPLE_KEY_ID}"; // micelio:allow-secret`,
      `const b = "${AWS_EXAMPLE_KEY_ID}"; # gitleaks:allow`,
      `const c = "${AWS_EXAMPLE_KEY_ID}";`,
      "// micelio:allow-secret on its own line does not cover the next",
      `const d = "${AWS_EXAMPLE_KEY_ID}";`,
    ].join("\n");
    expect(scanText("a.ts", content).map((f) => f.line)).toEqual([3, 5]);
  });

  it("skips binary content and files over the size cap", () => {
    const secretLine = `key = ${AWS_EXAMPLE_KEY_ID}\n`;
    expect(scanText("img.png", `\u0000PNG\n${secretLine}`)).toEqual([]);
    expect(isBinary(`${"a".repeat(9000)}\u0000`)).toBe(false);
    expect(scanText("late-nul.txt", `${secretLine}${"a".repeat(9000)}\u0000`)).toHaveLength(1);
    expect(scanText("big.txt", secretLine + "x".repeat(100), { maxBytes: 64 })).toEqual([]);
    expect(skipReason("é".repeat(40), 64)).toBe("too-large");
    expect(skipReason("e".repeat(40), 64)).toBeNull();
    expect(scanText("ok.txt", secretLine, { maxBytes: 64 })).toHaveLength(1);
  });

  it("skips only the generic rules in lockfiles", () => {
    const content = `"integrity_token": "${generic}",\n"resolved": "${npmToken}"\n`;
    expect(scanText("config.json", content).map((f) => f.rule)).toEqual(["generic-secret", "npm-token"]);
    expect(scanText("web/package-lock.json", content).map((f) => f.rule)).toEqual(["npm-token"]);
    for (const p of ["package-lock.json", "a/yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "x/go.sum"]) {
      expect(isLockfile(p), p).toBe(true);
    }
    expect(isLockfile("src/lock.ts")).toBe(false);
  });

  it("does not take a 40-character base64 string for an AWS secret without AWS nearby", () => {
    expect(scanText("a.ts", `const key = "${AWS_EXAMPLE_SECRET}";\n`)).toEqual([]);
    const far = `// aws\n\n\n\nconst key = "${AWS_EXAMPLE_SECRET}";\n`;
    expect(scanText("a.ts", far)).toEqual([]);
  });
});

describe("scanFiles", () => {
  it("scans every file and keeps their paths", () => {
    const findings = scanFiles([
      { path: "a.ts", content: "nothing here" },
      { path: "b.env", content: `NPM=${npmToken}` },
      { path: "c.ts", content: `\nconst k = "${AWS_EXAMPLE_KEY_ID}"` },
    ]);
    expect(findings.map((f) => `${f.path}:${f.line}`)).toEqual(["b.env:1", "c.ts:2"]);
  });
});

describe("redactSecret", () => {
  it("shows at most four characters, never more than a quarter", () => {
    expect(redactSecret(AWS_EXAMPLE_KEY_ID)).toBe("AKIA…, 20 chars");
    expect(redactSecret("abcdefgh")).toBe("ab…, 8 chars");
    expect(redactSecret("abc")).toBe("…, 3 chars");
  });
});
