// Provider 2: one KVM microVM per step (qemu -M microvm). The guest kernel is the isolation
// boundary; memory and CPUs are the VM's size, processes are capped inside the guest, wall
// time by killing qemu. Needs /dev/kvm, qemu and an admin-supplied kernel and initramfs whose
// /init follows microvm-guest-init.sh; without them it reports itself unavailable.
import { spawn } from "node:child_process";
import { access, constants, mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { microvmArgs } from "./microvm-args.ts";
import { runSteps, type StepContext, streamCaptures } from "./run-steps.ts";
import type {
  KillReason,
  ProviderAvailability,
  SandboxLimits,
  SandboxProvider,
  StepResult,
} from "./types.ts";
import { sweepStaleWorkspaces } from "./workspace.ts";

export interface MicrovmOptions {
  limits: SandboxLimits;
  baseDir: string;
  qemuPath?: string;
  kernel?: string;
  initrd?: string;
  kvmDevice?: string;
}

const usable = (p: string, mode: number) =>
  access(p, mode).then(
    () => true,
    () => false,
  );

async function findQemu(configured?: string): Promise<string | null> {
  for (const p of configured
    ? [configured]
    : ["/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64"]) {
    if (await usable(p, constants.X_OK)) return p;
  }
  return null;
}

export function microvmProvider(options: MicrovmOptions): SandboxProvider {
  const kvm = options.kvmDevice ?? "/dev/kvm";
  const check = async (): Promise<{ qemu: string; kernel: string; initrd: string } | string> => {
    if (process.platform !== "linux" || process.arch !== "x64")
      return "the microVM provider needs Linux on x86-64";
    if (!(await usable(kvm, constants.R_OK | constants.W_OK)))
      return `${kvm} is missing or not accessible (no KVM here)`;
    const qemu = await findQemu(options.qemuPath);
    if (!qemu) return "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";
    if (!options.kernel || !options.initrd)
      return "no guest kernel and initramfs configured (MICELIO_MICROVM_KERNEL, MICELIO_MICROVM_INITRD)";
    for (const p of [options.kernel, options.initrd])
      if (!(await usable(p, constants.R_OK))) return `${p} is not readable`;
    return { qemu, kernel: options.kernel, initrd: options.initrd };
  };

  const runStep = async (
    vm: { qemu: string; kernel: string; initrd: string },
    c: StepContext,
    n: number,
  ): Promise<StepResult> => {
    const ctl = join(c.ws.root, `ctl-${n}`);
    await mkdir(ctl);
    await writeFile(join(ctl, "cmd"), c.step.run);
    await writeFile(
      join(ctl, "env"),
      Object.entries(c.env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
    );
    const stdoutPath = join(c.ws.root, `stdout-${n}`);
    const stderrPath = join(c.ws.root, `stderr-${n}`);
    const args = microvmArgs({
      ...vm,
      work: c.ws.work,
      ctl,
      ...c.limits,
      allowNetwork: c.allowNetwork,
      stdoutPath,
      stderrPath,
    });
    const started = performance.now();
    let killed: KillReason | null = null;
    const child = spawn(vm.qemu, args, { stdio: ["ignore", "ignore", "pipe"], env: {} });
    const kill = (why: KillReason) => {
      killed ??= why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill("timeout"), c.limits.wallMs);
    const onAbort = () => kill("aborted");
    c.signal?.addEventListener("abort", onAbort, { once: true });
    if (c.signal?.aborted) onAbort();
    let qemuErr = "";
    child.stderr?.on("data", (b: Buffer) => {
      if (qemuErr.length < 4096) qemuErr += b.toString();
    });
    const { signal } = await new Promise<{ signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (_code, sig) => resolve({ signal: sig }));
    }).finally(() => {
      clearTimeout(timer);
      c.signal?.removeEventListener("abort", onAbort);
    });
    // The guest's output arrives through files; it is passed on (within the cap) after the step.
    for (const [path, capture] of [
      [stdoutPath, c.stdout],
      [stderrPath, c.stderr],
    ] as const) {
      const file = await open(path, "r").catch(() => null);
      if (!file) continue;
      try {
        const size = (await file.stat()).size;
        const { buffer, bytesRead } = await file.read(
          Buffer.alloc(Math.min(size, capture.room)),
          0,
          Math.min(size, capture.room),
          0,
        );
        capture.push(buffer.subarray(0, bytesRead));
        capture.skip(size - bytesRead);
      } finally {
        await file.close();
      }
    }
    const exitText = await readFile(join(ctl, "exit"), "utf8").catch(() => null);
    // A timeout or abort sets `killed` from a callback, which the compiler cannot see.
    const stopped = killed as KillReason | null;
    if (!stopped && (await usable(join(ctl, "oom"), constants.F_OK))) killed = "memory";
    await rm(ctl, { recursive: true, force: true });
    const exitCode = stopped !== null || exitText === null ? null : Number(exitText.trim());
    return {
      name: c.step.name,
      exitCode,
      signal: exitCode === null ? (signal ?? null) : null,
      killed,
      pidsLimitHit: false,
      ok: exitCode === 0 && killed === null,
      skipped: false,
      durationMs: performance.now() - started,
      cpuMs: null,
      peakMemoryBytes: null,
      stdout: c.stdout.result(),
      stderr: c.stderr.result(),
      ...(exitText === null && !killed
        ? { error: `the VM ended without an exit code: ${qemuErr.trim().slice(0, 500)}` }
        : {}),
    };
  };

  let seq = 0;
  return {
    name: "microvm",
    async availability(): Promise<ProviderAvailability> {
      const vm = await check();
      if (typeof vm === "string") return { available: false, reason: vm };
      return { available: true, reason: `qemu microvm with KVM (${vm.qemu})` };
    },
    async run(spec) {
      const vm = await check();
      if (typeof vm === "string") throw new Error(`microVM sandbox unavailable: ${vm}`);
      return runSteps("microvm", spec, options.limits, options.baseDir, streamCaptures(spec), (c) =>
        runStep(vm, c, ++seq),
      );
    },
    sweep: () => sweepStaleWorkspaces(options.baseDir),
  };
}
