// Waiting in tests for what the forge does in the background (jobs, deliveries, mail): poll a
// condition every 50 ms until it holds (its value is returned) or the time is up (then fail,
// naming what was awaited). A bound on waiting, not a timing assertion.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waited in vain for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The messages a forge without SMTP wrote to <data dir>/mail, oldest first. */
export function mailFiles(dataDir: string): string[] {
  const dir = join(dataDir, "mail");
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((n) => readFileSync(join(dir, n), "utf8"));
}
