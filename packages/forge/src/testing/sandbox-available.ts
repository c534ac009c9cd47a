// Whether this host can run the forge's default sandbox (bubblewrap with cgroup limits), for
// tests that validate sessions end to end: without it they are skipped with the reason
// (.ci/run installs bubblewrap, so CI always runs them).
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/config.ts";
import { sandboxProvider } from "../sandbox/sandbox.ts";

export async function sandboxAvailability(): Promise<{ available: boolean; reason: string }> {
  const { sandbox } = loadConfig({ MICELIO_DATA_DIR: join(tmpdir(), "micelio-sandbox-probe") });
  const provider = sandboxProvider(sandbox);
  if (!provider) return { available: false, reason: "MICELIO_SANDBOX=none" };
  return provider.availability();
}
