// One long-lived git process (`cat-file --batch`, `update-ref --stdin`, …) with a FIFO of
// requests: each request writes its input to stdin and reads its answer from stdout with
// its own parser. Started on first use, closed when idle (stdin ends, git answers what it
// was asked and exits); a process that dies, answers nonsense or times out fails its calls
// in flight cleanly (GitError) and the next call starts a new one.
import { type ChildProcess, spawn } from "node:child_process";
import { GitError, gitEnv, noteGitRun } from "../git.ts";

/** Reads one answer from the start of `buf`: null while more bytes are needed. */
export type AnswerParser<T> = (buf: Buffer) => { value: T; consumed: number } | null;

interface Pending {
  parse: AnswerParser<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer?: NodeJS.Timeout;
}

/** One started git and the calls waiting on it. */
interface Live {
  child: ChildProcess;
  pending: Pending[];
  buf: Buffer;
  stderr: string;
  done: boolean;
}

export interface GitProcessOptions {
  cwd: string;
  args: string[];
  /** A call not answered in this time kills the process (its calls fail). */
  timeoutMs?: number;
  /** Close the process after this long without calls. */
  idleMs?: number;
}

export class GitProcess {
  private live: Live | null = null;
  private idleTimer?: NodeJS.Timeout;
  /** How many times a process was started (for tests and benchmarks). */
  starts = 0;

  constructor(private readonly opts: GitProcessOptions) {}

  get running() {
    return this.live !== null;
  }

  /** Sends `input` and resolves with what `parse` reads back. */
  call<T>(input: string | Buffer, parse: AnswerParser<T>): Promise<T> {
    const live = this.live ?? this.start();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { parse, resolve: resolve as (v: unknown) => void, reject };
      if (this.opts.timeoutMs)
        p.timer = setTimeout(
          () => this.end(live, `timed out after ${this.opts.timeoutMs} ms`),
          this.opts.timeoutMs,
        );
      live.pending.push(p);
      if (live.pending.length === 1) holdLoop(live.child, true);
      live.child.stdin!.write(input);
    });
  }

  /** Ends stdin: git answers what it was already asked, then exits. New calls start anew. */
  close() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const live = this.live;
    this.live = null;
    live?.child.stdin?.end();
  }

  /** Kills the process now; its calls in flight fail. */
  kill() {
    if (this.live) this.end(this.live, "killed");
  }

  private start(): Live {
    const child = spawn("git", this.opts.args, {
      cwd: this.opts.cwd,
      env: gitEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const live: Live = { child, pending: [], buf: Buffer.alloc(0), stderr: "", done: false };
    this.starts++;
    this.live = live;
    noteGitRun({ phase: "start", args: this.opts.args, cwd: this.opts.cwd });
    child.once("close", () => noteGitRun({ phase: "exit", args: this.opts.args, cwd: this.opts.cwd }));
    child.stdout!.on("data", (d: Buffer) => {
      live.buf = live.buf.length ? Buffer.concat([live.buf, d]) : d;
      this.drain(live);
    });
    child.stderr!.on("data", (d: Buffer) => {
      if (live.stderr.length < 4000) live.stderr += d.toString("utf8");
    });
    child.stdin!.on("error", () => {});
    child.on("error", (e) => this.end(live, `could not start: ${e.message}`));
    child.on("close", (code, signal) => this.end(live, `exited (${code ?? signal})`));
    holdLoop(child, false);
    return live;
  }

  private drain(live: Live) {
    while (live.pending.length) {
      const head = live.pending[0];
      let got: { value: unknown; consumed: number } | null;
      try {
        got = head.parse(live.buf);
      } catch (err) {
        this.end(live, `answered unreadably: ${(err as Error).message}`);
        return;
      }
      if (!got) return;
      live.pending.shift();
      if (head.timer) clearTimeout(head.timer);
      live.buf = live.buf.subarray(got.consumed);
      head.resolve(got.value);
    }
    holdLoop(live.child, false);
    if (this.live === live && this.opts.idleMs) {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.close(), this.opts.idleMs);
      this.idleTimer.unref();
    }
  }

  /** Ends a process and fails every call still waiting on it. */
  private end(live: Live, why: string) {
    if (this.live === live) this.live = null;
    if (live.done) return;
    live.done = true;
    live.child.stdin!.end();
    if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill("SIGKILL");
    const stderr = live.stderr.trim();
    const first = stderr.split("\n")[0] ?? "";
    for (const p of live.pending.splice(0)) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new GitError(`git ${this.opts.args[0]} ${why}${first ? `: ${first}` : ""}`, null, stderr));
    }
  }
}

/** An idle process never keeps Node running; one with calls in flight does, until it answers. */
function holdLoop(child: ChildProcess, hold: boolean) {
  for (const h of [child, child.stdin, child.stdout, child.stderr] as unknown as Array<{
    ref?: () => void;
    unref?: () => void;
  } | null>)
    hold ? h?.ref?.() : h?.unref?.();
}
