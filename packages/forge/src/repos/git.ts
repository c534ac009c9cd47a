// Runs the system `git` with an argument array (never a shell string), in a clean
// environment: no prompts, no user or system config surprises, no inherited GIT_* variables.
import { type ChildProcess, spawn } from "node:child_process";

export class GitError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "GitError";
  }
}

export function gitEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  return {
    ...env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    LANG: "C",
    LC_ALL: "C",
    ...extra,
  };
}

/** A git process starting or exiting (observers: ref-cache invalidation, process counters). */
export interface GitRunEvent {
  phase: "start" | "exit";
  args: readonly string[];
  cwd?: string;
}
const gitObservers = new Set<(e: GitRunEvent) => void>();

/** Calls `fn` whenever a git process starts or exits; returns the unsubscribe function. */
export function observeGit(fn: (e: GitRunEvent) => void): () => void {
  gitObservers.add(fn);
  return () => gitObservers.delete(fn);
}

/** Tells the observers (an observer's error never reaches the caller). */
export function noteGitRun(e: GitRunEvent) {
  for (const fn of gitObservers) {
    try {
      fn(e);
    } catch {}
  }
}

/** Tells the observers that `child` started, and later that it exited. */
function observed<T extends ChildProcess>(child: T, args: readonly string[], cwd?: string): T {
  noteGitRun({ phase: "start", args, cwd });
  child.once("close", () => noteGitRun({ phase: "exit", args, cwd }));
  return child;
}

export interface GitOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  /** Give up after this long (ms); the process is killed. */
  timeoutMs?: number;
  /** Exit codes that are not errors (besides 0). */
  okCodes?: number[];
  maxBuffer?: number;
}

/** Runs git to completion and returns its stdout. */
export function git(args: string[], opts: GitOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = observed(
      spawn("git", args, { cwd: opts.cwd, env: gitEnv(opts.env), stdio: ["pipe", "pipe", "pipe"] }),
      args,
      opts.cwd,
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const max = opts.maxBuffer ?? 256 * 1024 * 1024;
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
    child.stdout.on("data", (d: Buffer) => {
      size += d.length;
      if (size > max) child.kill("SIGKILL");
      else out.push(d);
    });
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => reject(new GitError(`git could not start: ${e.message}`, null, "")));
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8");
      if (code === 0 || (code !== null && opts.okCodes?.includes(code))) resolve(Buffer.concat(out));
      else
        reject(
          new GitError(
            `git ${args[0]} failed (${code}): ${stderr.trim().split("\n")[0] ?? ""}`,
            code,
            stderr,
          ),
        );
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

export const gitText = async (args: string[], opts?: GitOptions) => (await git(args, opts)).toString("utf8");

/** Starts git with piped stdio for streaming (smart HTTP); the caller wires the streams. */
export function gitSpawn(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): ChildProcess {
  return observed(
    spawn("git", args, { cwd: opts.cwd, env: gitEnv(opts.env), stdio: ["pipe", "pipe", "pipe"] }),
    args,
    opts.cwd,
  );
}

/** How a streamed git run ended: its exit code, whether it was stopped early, and its stderr. */
export interface GitStreamRun {
  code: number | null;
  /** Killed before it finished: onData asked to stop, or the time ran out. */
  stopped: boolean;
  timedOut: boolean;
  /** The first 4,000 characters or so of stderr. */
  stderr: string;
}

/**
 * Runs git and hands stdout to onData chunk by chunk; onData returning false stops (kills) git
 * early, and so does the time limit. Resolves when git has exited, whatever its exit code (the
 * caller judges the code and stderr); rejects only when git cannot start.
 */
export function gitStream(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs: number },
  onData: (chunk: Buffer) => boolean | undefined,
): Promise<GitStreamRun> {
  return new Promise((resolve, reject) => {
    const child = gitSpawn(args, opts);
    let stopped = false;
    let timedOut = false;
    let stderr = "";
    const stop = () => {
      stopped = true;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    child.stdout!.on("data", (d: Buffer) => {
      if (!stopped && onData(d) === false) stop();
    });
    child.stderr!.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString("utf8");
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new GitError(`git could not start: ${e.message}`, null, ""));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stopped, timedOut, stderr });
    });
    child.stdin!.on("error", () => {});
    child.stdin!.end(opts.input ?? "");
  });
}
