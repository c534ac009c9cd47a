// Where mic keeps the server and token: $MIC_CONFIG_DIR, else $XDG_CONFIG_HOME/micelio,
// else ~/.config/micelio; config.json with file mode 0600 (it holds a secret).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Credentials {
  server: string;
  token: string;
  handle: string;
}

export function configDir(): string {
  if (process.env.MIC_CONFIG_DIR) return process.env.MIC_CONFIG_DIR;
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "micelio");
}

export const credentialsPath = () => join(configDir(), "config.json");

export function readCredentials(): Credentials | null {
  const path = credentialsPath();
  if (!existsSync(path)) return null;
  try {
    const data = JSON.parse(readFileSync(path, "utf8"));
    return typeof data.server === "string" && typeof data.token === "string" ? data : null;
  } catch {
    return null;
  }
}

export function writeCredentials(creds: Credentials): string {
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  const path = credentialsPath();
  writeFileSync(path, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function deleteCredentials(): boolean {
  const path = credentialsPath();
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
