// The sandbox layer's entry point: the configured provider (MICELIO_SANDBOX), or none.
import type { SandboxSettings } from "../config/sandbox-settings.ts";
import { bwrapProvider } from "./bwrap-provider.ts";
import { microvmProvider } from "./microvm-provider.ts";
import type { SandboxProvider } from "./types.ts";

export type * from "./types.ts";

export function sandboxProvider(settings: SandboxSettings): SandboxProvider | null {
  switch (settings.provider) {
    case "none":
      return null;
    case "microvm":
      return microvmProvider({ limits: settings.limits, baseDir: settings.baseDir, ...settings.microvm });
    default:
      return bwrapProvider({
        limits: settings.limits,
        baseDir: settings.baseDir,
        cgroupParent: settings.cgroupParent,
      });
  }
}
