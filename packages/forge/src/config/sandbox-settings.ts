// The sandbox settings (sandbox/): which provider runs validation steps and the default
// limits of one step, from MICELIO_SANDBOX* and MICELIO_MICROVM_* variables.

import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { SandboxLimits } from "../sandbox/types.ts";

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const sandboxEnv = {
  MICELIO_SANDBOX: z.enum(["bwrap", "microvm", "none"]).default("bwrap"),
  MICELIO_SANDBOX_DIR: z.string().optional(),
  MICELIO_SANDBOX_TIMEOUT: int(1, 86_400, 600),
  MICELIO_SANDBOX_MEMORY_MB: int(16, 1_048_576, 2048),
  MICELIO_SANDBOX_CPUS: z.coerce.number().min(0.01).max(1024).default(1),
  MICELIO_SANDBOX_PIDS: int(8, 1_000_000, 256),
  MICELIO_SANDBOX_DISK_MB: int(1, 1_048_576, 1024),
  MICELIO_SANDBOX_OUTPUT_KB: int(1, 1_048_576, 1024),
  MICELIO_SANDBOX_CGROUP: z.string().optional(),
  MICELIO_MICROVM_QEMU: z.string().optional(),
  MICELIO_MICROVM_KERNEL: z.string().optional(),
  MICELIO_MICROVM_INITRD: z.string().optional(),
};

export interface SandboxSettings {
  /** "none": validation steps are not run at all (the gate then has nothing to score). */
  provider: "bwrap" | "microvm" | "none";
  /** Where run directories are made; default <tmpdir>/micelio-sandbox, never the data directory. */
  baseDir: string;
  limits: SandboxLimits;
  /** cgroup v2 parent for the steps' groups; default: beside the forge's own group. */
  cgroupParent?: string;
  microvm: { qemuPath?: string; kernel?: string; initrd?: string };
}

const sandboxSchema = z.object(sandboxEnv);
type SandboxEnv = z.infer<typeof sandboxSchema>;

export function sandboxSettings(e: SandboxEnv): SandboxSettings {
  return {
    provider: e.MICELIO_SANDBOX,
    baseDir: resolve(e.MICELIO_SANDBOX_DIR ?? join(tmpdir(), "micelio-sandbox")),
    limits: {
      wallMs: e.MICELIO_SANDBOX_TIMEOUT * 1000,
      memoryBytes: e.MICELIO_SANDBOX_MEMORY_MB * 2 ** 20,
      cpus: e.MICELIO_SANDBOX_CPUS,
      pids: e.MICELIO_SANDBOX_PIDS,
      diskBytes: e.MICELIO_SANDBOX_DISK_MB * 2 ** 20,
      outputBytes: e.MICELIO_SANDBOX_OUTPUT_KB * 1024,
    },
    cgroupParent: e.MICELIO_SANDBOX_CGROUP,
    microvm: {
      qemuPath: e.MICELIO_MICROVM_QEMU,
      kernel: e.MICELIO_MICROVM_KERNEL,
      initrd: e.MICELIO_MICROVM_INITRD,
    },
  };
}
