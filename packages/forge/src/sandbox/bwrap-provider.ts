// Provider 1: bubblewrap. Each step is one bwrap process in fresh namespaces, placed in its
// own control group (memory, processes, CPU) before the command starts, and killed with its
// whole process tree at the wall-clock limit or on abort.
import { spawn } from "node:child_process";
import { access, constants, open, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bwrapArgs, hostRootEntries, type RootEntry } from "./bwrap-args.ts";
import { type CgroupHost, detectCgroups, type RunCgroup } from "./cgroup.ts";
import { runSteps, type StepContext, streamCaptures } from "./run-steps.ts";
import { seccompFilter } from "./seccomp.ts";
import type {
  KillReason,
  ProviderAvailability,
  SandboxLimits,
  SandboxProvider,
  SandboxRunSpec,
  StepResult,
} from "./types.ts";
import { sweepStaleWorkspaces } from "./workspace.ts";

export interface BwrapOptions {
  limits: SandboxLimits;
  /** Where run directories are made (never inside the forge's data directory). */
  baseDir: string;
  bwrapPath?: string;
  /** cgroup v2 parent for the steps' groups; default: beside the forge's own group. */
  cgroupParent?: string;
}

const GROUP_PREFIX = "micelio-step-";

interface Host {
  cgroups: CgroupHost;
  roots: RootEntry[];
  seccomp: Buffer | null;
}

export function bwrapProvider(options: BwrapOptions): SandboxProvider {
  const bwrap = options.bwrapPath ?? "/usr/bin/bwrap";
  let host: Promise<Host | string> | undefined;
  const setup = () => {
    host ??= (async () => {
      if (process.platform !== "linux") return "bubblewrap needs Linux";
      if (
        !(await access(bwrap, constants.X_OK).then(
          () => true,
          () => false,
        ))
      )
        return `${bwrap} is not installed`;
      const cgroups = await detectCgroups(options.cgroupParent);
      if (typeof cgroups === "string")
        return `no control groups to enforce memory, process and CPU limits: ${cgroups}`;
      return { cgroups, roots: await hostRootEntries(), seccomp: seccompFilter() };
    })();
    return host;
  };

  const runStep = async (h: Host, c: StepContext, name: string): Promise<StepResult> => {
    const group = await h.cgroups.create(name, c.limits);
    const bpfPath = join(c.ws.root, "seccomp.bpf");
    if (h.seccomp) await writeFile(bpfPath, h.seccomp);
    const bpf = h.seccomp ? await open(bpfPath, "r") : null;
    const started = performance.now();
    let killed: KillReason | null = null;
    try {
      const args = bwrapArgs({
        roots: h.roots,
        work: c.ws.work,
        passwd: c.ws.passwd,
        group: c.ws.group,
        allowNetwork: c.allowNetwork,
        tmpBytes: c.limits.diskBytes,
        seccompFd: bpf ? 5 : undefined,
        env: c.env,
        run: c.step.run,
      });
      // fd 3: bwrap waits for a byte here before it starts the command; fd 4: it reports the
      // sandbox's pid; fd 5: the seccomp filter.
      const child = spawn(bwrap, ["--block-fd", "3", "--info-fd", "4", ...args], {
        stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", bpf ? bpf.fd : "ignore"],
        env: {},
      });
      const kill = (why: KillReason) => {
        killed ??= why;
        child.kill("SIGKILL");
        void group.killAll().catch(() => {});
      };
      const timer = setTimeout(() => kill("timeout"), c.limits.wallMs);
      const onAbort = () => kill("aborted");
      c.signal?.addEventListener("abort", onAbort, { once: true });
      if (c.signal?.aborted) onAbort();
      child.stdout?.on("data", (b: Buffer) => c.stdout.push(b));
      child.stderr?.on("data", (b: Buffer) => c.stderr.push(b));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve, reject) => {
          child.once("error", reject);
          child.once("close", (code, signal) => resolve({ code, signal }));
        },
      );
      try {
        await placeInGroup(child, group, exited);
      } catch (e) {
        kill("aborted");
        await exited.catch(() => {});
        throw e;
      }
      const { code, signal } = await exited.finally(() => {
        clearTimeout(timer);
        c.signal?.removeEventListener("abort", onAbort);
      });
      const usage = await group.usage();
      if (!killed && usage.oomKilled) killed = "memory";
      return {
        name: c.step.name,
        exitCode: code,
        signal,
        killed,
        pidsLimitHit: usage.pidsLimitHit,
        ok: code === 0 && killed === null,
        skipped: false,
        durationMs: performance.now() - started,
        cpuMs: usage.cpuMs,
        peakMemoryBytes: usage.peakMemoryBytes,
        stdout: c.stdout.result(),
        stderr: c.stderr.result(),
      };
    } finally {
      await bpf?.close();
      await group.remove();
    }
  };

  let seq = 0;
  return {
    name: "bwrap",
    async availability(): Promise<ProviderAvailability> {
      const h = await setup();
      if (typeof h === "string") return { available: false, reason: h };
      const filter = h.seccomp ? "a seccomp filter" : "no seccomp filter (not x86-64)";
      return {
        available: true,
        reason: `bubblewrap namespaces, ${filter}, cgroup v${h.cgroups.version} limits`,
      };
    },
    async run(spec: SandboxRunSpec) {
      const h = await setup();
      if (typeof h === "string") throw new Error(`bwrap sandbox unavailable: ${h}`);
      return runSteps("bwrap", spec, options.limits, options.baseDir, streamCaptures(spec), (c) =>
        runStep(h, c, `${GROUP_PREFIX}${process.pid}-${++seq}-${Date.now()}`),
      );
    },
    async sweep() {
      const h = await setup();
      const groups = typeof h === "string" ? 0 : await h.cgroups.sweep(GROUP_PREFIX);
      return groups + (await sweepStaleWorkspaces(options.baseDir));
    },
  };
}

/**
 * Waits for bwrap to report the sandbox's pid on fd 4, moves bwrap and every process under
 * it into the group (all forks from then on inherit it), then lets the command start (fd 3).
 */
async function placeInGroup(
  child: ReturnType<typeof spawn>,
  group: RunCgroup,
  exited: Promise<unknown>,
): Promise<void> {
  const info = child.stdio[4] as NodeJS.ReadableStream;
  const release = child.stdio[3] as NodeJS.WritableStream;
  // Both are socket pairs: bwrap closing its ends may surface as ECONNRESET.
  info.on("error", () => {});
  release.on("error", () => {});
  const started = new Promise<void>((resolve) => {
    let text = "";
    const done = () => {
      info.removeAllListeners("data");
      resolve();
    };
    info.on("data", (b: Buffer) => {
      text += b.toString();
      if (/"child-pid"\s*:\s*\d+/.test(text)) done();
    });
  });
  const ended = exited.then(
    () => Promise.reject(new Error("bwrap ended before the sandbox started")),
    (e) => Promise.reject(e),
  );
  ended.catch(() => {});
  await Promise.race([started, ended]);
  for (const pid of await descendants(child.pid as number)) await group.add(pid);
  release.end("1");
}

async function descendants(root: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    out.push(pid);
    for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
      const kids = await readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => "");
      for (const k of kids.split(" ")) if (/^\d+$/.test(k)) queue.push(Number(k));
    }
  }
  return out;
}
