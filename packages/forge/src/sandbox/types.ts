// The one interface every sandbox provider implements: a run gets a fresh copy of a source
// tree, executes named steps in it under limits, reports per step, and is always torn down.

/** Resource limits of one step; every field is enforced by every provider that is available. */
export interface SandboxLimits {
  /** Wall-clock limit of one step; the whole process tree is killed after it. */
  wallMs: number;
  /** Memory of the step's processes together (bytes); the kernel kills at this size. */
  memoryBytes: number;
  /** CPU bandwidth, in cores (0.5 = half of one core). */
  cpus: number;
  /** Processes and threads alive at once; more forks fail. */
  pids: number;
  /** Size cap of the ephemeral disk (bytes): of the work directory, and of /tmp. */
  diskBytes: number;
  /** Bytes of stdout and of stderr kept per step; the rest is counted and dropped. */
  outputBytes: number;
}

/** What a step's output is streamed to, chunk by chunk, as it arrives (within the byte cap). */
export type LogSink = (stream: "stdout" | "stderr", chunk: Buffer) => void;

export interface SandboxStep {
  name: string;
  /** A shell command, run as ["/bin/sh", "-c", run] inside the sandbox, in the work directory. */
  run: string;
  /** Overrides of the run's limits for this step (e.g. checks.yml's per-step timeout). */
  limits?: Partial<SandboxLimits>;
  env?: Record<string, string>;
}

export interface SandboxRunSpec {
  /**
   * The tree to run on: a directory copied into the sandbox's fresh work directory, or a
   * function that writes files into the (empty) work directory, given its host path.
   */
  source: string | ((workdir: string) => Promise<void>);
  steps: SandboxStep[];
  limits?: Partial<SandboxLimits>;
  /** Off by default: the sandbox has only a loopback interface of its own. */
  allowNetwork?: boolean;
  /** Steps after a failing one are skipped unless this is true. */
  continueOnFailure?: boolean;
  env?: Record<string, string>;
  onOutput?: (step: string, stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** Aborting kills the running step's processes; the run still tears down and resolves. */
  signal?: AbortSignal;
}

/** Why the sandbox ended a step before it finished by itself. */
export type KillReason = "timeout" | "memory" | "aborted";

export interface CapturedOutput {
  /** The first `outputBytes` bytes, as UTF-8 (invalid sequences replaced). */
  text: string;
  /** All bytes the step wrote, including those dropped. */
  bytes: number;
  truncated: boolean;
}

export interface StepResult {
  name: string;
  /** The shell's exit code; null when it ended by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended the step's main process, when one did. */
  signal: string | null;
  /** Set when the sandbox ended the step at a limit or on abort. */
  killed: KillReason | null;
  /** True when the step tried to start more processes than its limit allowed. */
  pidsLimitHit: boolean;
  /** True when the step ran and exited 0 without being killed. */
  ok: boolean;
  skipped: boolean;
  durationMs: number;
  /** CPU time of all the step's processes (user + system); null when the provider cannot tell. */
  cpuMs: number | null;
  /** Peak memory of the step's processes together; null when the provider cannot tell. */
  peakMemoryBytes: number | null;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  /** A problem of the sandbox itself (it could not start), not of the step. */
  error?: string;
}

export interface SandboxRunResult {
  provider: string;
  ok: boolean;
  steps: StepResult[];
  durationMs: number;
}

export interface ProviderAvailability {
  available: boolean;
  /** Why not, or how it isolates and limits on this host (shown in admin pages and tests). */
  reason: string;
}

export interface SandboxProvider {
  readonly name: "bwrap" | "microvm";
  /** Checks the host (binaries, kernel features) once; cheap to call again. */
  availability(): Promise<ProviderAvailability>;
  run(spec: SandboxRunSpec): Promise<SandboxRunResult>;
  /** Removes what an earlier forge process that died mid-run left behind (call at start). */
  sweep(): Promise<number>;
}
