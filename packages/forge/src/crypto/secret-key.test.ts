// The instance key: MICELIO_SECRET_KEY in hex or base64 (anything else refused by the config
// without repeating the value), else <data dir>/secret.key made once with mode 0600 and
// reused, the same for processes starting together; a damaged file is a clear error; the
// key never shows in JSON or util.inspect.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.ts";
import { KEY_FILE, loadSecretKey, parseSecretKey } from "./secret-key.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "micelio-key-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("secret key", () => {
  const raw = randomBytes(32);

  it("reads 32 bytes as hex or base64 (padded or not, base64url too)", () => {
    for (const text of [
      raw.toString("hex"),
      raw.toString("hex").toUpperCase(),
      raw.toString("base64"),
      raw.toString("base64").replace(/=$/, ""),
      raw.toString("base64url"),
      ` ${raw.toString("hex")}\n`,
    ])
      expect(parseSecretKey(text)?.bytes(), text).toEqual(raw);
    for (const text of [
      "",
      "abc",
      raw.toString("hex").slice(2),
      randomBytes(31).toString("base64"),
      "x".repeat(64),
    ])
      expect(parseSecretKey(text), text).toBeNull();
  });

  it("MICELIO_SECRET_KEY is checked by the config, and a bad one is named without its value", () => {
    const hex = raw.toString("hex");
    expect(loadConfig({ MICELIO_SECRET_KEY: hex }).secretKey?.bytes()).toEqual(raw);
    expect(loadConfig({ MICELIO_SECRET_KEY: raw.toString("base64") }).secretKey?.bytes()).toEqual(raw);
    expect(loadConfig({}).secretKey).toBeUndefined();
    const bad = hex.slice(0, 60);
    expect(() => loadConfig({ MICELIO_SECRET_KEY: bad })).toThrow(
      "invalid setting MICELIO_SECRET_KEY: must be 32 bytes: 64 hex digits or base64",
    );
    try {
      loadConfig({ MICELIO_SECRET_KEY: bad });
    } catch (err) {
      expect(String(err)).not.toContain(bad);
    }
  });

  it("never shows the key in JSON or util.inspect", () => {
    const config = loadConfig({ MICELIO_SECRET_KEY: raw.toString("hex") });
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.secretKey)]) {
      expect(shown).not.toContain(raw.toString("hex"));
      expect(shown).not.toContain(raw.toString("base64"));
    }
    expect(JSON.stringify(config)).toContain('"secretKey":"[secret key]"');
  });

  it("uses the configured key and writes no file", () => {
    const dir = tempDir();
    const configured = parseSecretKey(raw.toString("hex"))!;
    const loaded = loadSecretKey({ configured, dataDir: dir });
    expect(loaded.source).toBe("environment");
    expect(loaded.key.bytes()).toEqual(raw);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("makes <data dir>/secret.key once, mode 0600, and reuses it", () => {
    const dir = tempDir();
    const first = loadSecretKey({ dataDir: dir });
    expect(first.source).toBe("new file");
    expect(first.path).toBe(join(dir, KEY_FILE));
    expect(readdirSync(dir)).toEqual([KEY_FILE]); // no temporary file left behind
    expect(statSync(first.path!).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.path!, "utf8")).toBe(`${first.key.bytes().toString("hex")}\n`);
    const again = loadSecretKey({ dataDir: dir });
    expect(again.source).toBe("file");
    expect(again.key.bytes()).toEqual(first.key.bytes());
    expect(again.warnings).toEqual([]);
    // Another data directory gets another key.
    expect(loadSecretKey({ dataDir: tempDir() }).key.bytes()).not.toEqual(first.key.bytes());
  });

  it("keeps the key that is already there rather than replacing it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, KEY_FILE), raw.toString("hex"), { mode: 0o600 });
    const loaded = loadSecretKey({ dataDir: dir });
    expect(loaded.source).toBe("file");
    expect(loaded.key.bytes()).toEqual(raw);
  });

  it("tightens a key file others can read, and says so", () => {
    const dir = tempDir();
    const path = join(dir, KEY_FILE);
    writeFileSync(path, raw.toString("hex"));
    chmodSync(path, 0o644);
    const loaded = loadSecretKey({ dataDir: dir });
    expect(loaded.key.bytes()).toEqual(raw);
    expect(loaded.warnings).toEqual([`${path} was readable by other users; its mode is now 0600`]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("refuses a damaged key file with a clear error, and does not replace it", () => {
    const dir = tempDir();
    const path = join(dir, KEY_FILE);
    writeFileSync(path, "not a key\n", { mode: 0o600 });
    expect(() => loadSecretKey({ dataDir: dir })).toThrow(
      `${path} does not hold a secret key (64 hex digits)`,
    );
    expect(readFileSync(path, "utf8")).toBe("not a key\n");
  });
});
