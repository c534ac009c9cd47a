// The sandbox settings: bwrap with moderate limits by default, every limit settable, and a
// wrong value refused when the forge starts rather than when a step runs.
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("sandbox settings", () => {
  it("defaults to bwrap with limits, outside the data directory", () => {
    const { sandbox, dataDir } = loadConfig({ MICELIO_DATA_DIR: "/srv/micelio" });
    expect(sandbox.provider).toBe("bwrap");
    expect(sandbox.limits).toEqual({
      wallMs: 600_000,
      memoryBytes: 2048 * 2 ** 20,
      cpus: 1,
      pids: 256,
      diskBytes: 1024 * 2 ** 20,
      outputBytes: 1024 * 1024,
    });
    expect(sandbox.baseDir.startsWith(dataDir)).toBe(false);
  });

  it("reads the provider, the limits and the microVM's kernel", () => {
    const { sandbox } = loadConfig({
      MICELIO_SANDBOX: "microvm",
      MICELIO_SANDBOX_TIMEOUT: "30",
      MICELIO_SANDBOX_MEMORY_MB: "512",
      MICELIO_SANDBOX_CPUS: "0.5",
      MICELIO_SANDBOX_PIDS: "64",
      MICELIO_SANDBOX_DIR: "/var/tmp/sb",
      MICELIO_MICROVM_KERNEL: "/boot/vmlinuz",
      MICELIO_MICROVM_INITRD: "/boot/initrd.img",
    });
    expect(sandbox).toMatchObject({
      provider: "microvm",
      baseDir: "/var/tmp/sb",
      limits: { wallMs: 30_000, memoryBytes: 512 * 2 ** 20, cpus: 0.5, pids: 64 },
      microvm: { kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img" },
    });
  });

  it("refuses an unknown provider or a limit out of range", () => {
    expect(() => loadConfig({ MICELIO_SANDBOX: "docker" })).toThrow(/MICELIO_SANDBOX/);
    expect(() => loadConfig({ MICELIO_SANDBOX_PIDS: "2" })).toThrow(/MICELIO_SANDBOX_PIDS/);
    expect(() => loadConfig({ MICELIO_SANDBOX_MEMORY_MB: "lots" })).toThrow(/MICELIO_SANDBOX_MEMORY_MB/);
  });
});
