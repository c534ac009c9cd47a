// The instance's secret key for encryption at rest (secret-box.ts): MICELIO_SECRET_KEY when
// set (32 bytes as 64 hex digits or base64, checked in config/config.ts), else the key kept in
// <data dir>/secret.key, made on first start (32 random bytes as hex, mode 0600). The file is
// written under a temporary name and linked into place, so a crash never leaves half a key and
// two processes starting at once end up with the same one. The key itself is never logged.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { KEY_BYTES } from "./secret-box.ts";

export const KEY_FILE = "secret.key";

/** Key bytes that stay out of logs: JSON and util.inspect show nothing of them. */
export class SecretKey {
  readonly #bytes: Buffer;
  constructor(bytes: Uint8Array) {
    if (bytes.length !== KEY_BYTES) throw new Error(`a secret key is ${KEY_BYTES} bytes`);
    this.#bytes = Buffer.from(bytes);
  }
  bytes(): Buffer {
    return Buffer.from(this.#bytes);
  }
  toJSON() {
    return "[secret key]";
  }
  [Symbol.for("nodejs.util.inspect.custom")]() {
    return "[secret key]";
  }
}

/** Reads a key written as 64 hex digits or as base64/base64url (43 or 44 characters); null if neither. */
export function parseSecretKey(text: string): SecretKey | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return new SecretKey(Buffer.from(t, "hex"));
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const bytes = Buffer.from(t, "base64");
    if (bytes.length === KEY_BYTES) return new SecretKey(bytes);
  }
  return null;
}

export interface LoadedKey {
  key: SecretKey;
  source: "environment" | "file" | "new file";
  path?: string;
  /** Said to the operator at start-up (never the key). */
  warnings: string[];
}

/** The configured key, or the data directory's key file (made if missing). */
export function loadSecretKey(opts: { configured?: SecretKey; dataDir: string }): LoadedKey {
  if (opts.configured) return { key: opts.configured, source: "environment", warnings: [] };
  const path = join(opts.dataDir, KEY_FILE);
  const existing = readKeyFile(path);
  if (existing) return { ...existing, source: "file", path };
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString("hex")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path); // fails if another process made the file meanwhile: use theirs
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    unlinkSync(tmp);
  }
  syncDirectory(opts.dataDir);
  const made = readKeyFile(path);
  if (!made) throw new Error(`${path} could not be read back after it was written`);
  return { ...made, source: "new file", path };
}

/** Makes the new name durable before anything is sealed with the key (where the platform allows). */
function syncDirectory(dir: string) {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported here (Windows): the file's own data was synced */
  }
}

function readKeyFile(path: string): { key: SecretKey; warnings: string[] } | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const key = parseSecretKey(text);
  if (!key)
    throw new Error(
      `${path} does not hold a secret key (64 hex digits). Restore it from a backup, or set ` +
        "MICELIO_SECRET_KEY; removing it makes a new key, and users then set up two-factor sign-in again.",
    );
  const warnings: string[] = [];
  if (statSync(path).mode & 0o077) {
    try {
      chmodSync(path, 0o600);
      warnings.push(`${path} was readable by other users; its mode is now 0600`);
    } catch {
      warnings.push(`${path} is readable by other users; make it 0600 (chmod 600)`);
    }
  }
  return { key, warnings };
}
