// Caps how many git service processes (upload-pack, receive-pack) run at once, across the
// forge and per client (the signed-in user, else the IP). A request over a cap waits in a
// bounded queue; when the queue is full, or it waited too long, it gets 503 with Retry-After.
// Each forge has its own slots; tests read the running and peak counts from them.
import type { Viewer } from "../accounts/viewer.ts";
import { AppError } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";

export interface SlotLimits {
  processes: number;
  processesPerClient: number;
  queue: number;
  queuePerClient: number;
  queueWaitMs: number;
}

interface Waiter {
  client: string;
  grant: () => void;
}

/** Per-client peaks are kept for this many clients at most (then forgotten and counted afresh). */
const PEAKS_KEPT = 1000;
const RETRY_AFTER_SECONDS = 5;

const busy = (message: string) =>
  new AppError("unavailable", message, { headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } });

export class GitServiceSlots {
  /** Processes running now, and the most that ever ran at once. */
  running = 0;
  peak = 0;
  private readonly runningBy = new Map<string, number>();
  private readonly waitingBy = new Map<string, number>();
  private readonly peakBy = new Map<string, number>();
  private readonly queue: Waiter[] = [];

  constructor(private readonly limits: SlotLimits) {}

  /** Processes running now for a client, and the most that ran at once for it. */
  runningFor = (client: string) => this.runningBy.get(client) ?? 0;
  peakFor = (client: string) => this.peakBy.get(client) ?? 0;

  /**
   * Waits for a slot and returns the function that gives it back (call it once the process
   * has exited; calling it again does nothing). Rejects with 503 when the queue is full or the
   * wait is too long, and when `signal` aborts (the client went away) while waiting.
   */
  acquire(client: string, signal?: AbortSignal): Promise<() => void> {
    // Waiters are only ever held up by a cap, so whoever fits now may go ahead of them.
    if (this.fits(client)) return Promise.resolve(this.take(client));
    if (
      this.queue.length >= this.limits.queue ||
      (this.waitingBy.get(client) ?? 0) >= this.limits.queuePerClient
    )
      return Promise.reject(busy("Too many git operations are running; try again shortly"));
    return new Promise((resolve, reject) => {
      const leave = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        bump(this.waitingBy, client, -1);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        client,
        grant: () => {
          leave();
          resolve(this.take(client));
        },
      };
      const onAbort = () => {
        leave();
        reject(new AppError("invalid", "The client went away"));
      };
      const timer = setTimeout(() => {
        leave();
        reject(busy("Waited too long for a git process; try again shortly"));
      }, this.limits.queueWaitMs);
      this.queue.push(waiter);
      bump(this.waitingBy, client, 1);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  private fits(client: string): boolean {
    return this.running < this.limits.processes && this.runningFor(client) < this.limits.processesPerClient;
  }

  private take(client: string): () => void {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    const now = bump(this.runningBy, client, 1);
    if (this.peakBy.size >= PEAKS_KEPT && !this.peakBy.has(client)) this.peakBy.clear();
    this.peakBy.set(client, Math.max(this.peakFor(client), now));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      bump(this.runningBy, client, -1);
      this.next();
    };
  }

  /** Lets in the first waiters that fit now (a client at its own cap does not hold up others). */
  private next(): void {
    for (let i = 0; i < this.queue.length && this.running < this.limits.processes; ) {
      const w = this.queue[i];
      if (this.fits(w.client)) w.grant();
      else i++;
    }
  }
}

function bump(map: Map<string, number>, key: string, by: number): number {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
  return n;
}

/** Whom a git request counts against: the signed-in user, else the client's IP. */
export const clientKey = (viewer: Viewer) => (viewer.user ? `user:${viewer.user.id}` : `ip:${viewer.ip}`);

const byForge = new WeakMap<Forge, GitServiceSlots>();

/** The forge's slots, made on first use from its configuration. */
export function gitServiceSlots(forge: Forge): GitServiceSlots {
  let slots = byForge.get(forge);
  if (!slots) {
    slots = new GitServiceSlots(forge.config.git);
    byForge.set(forge, slots);
  }
  return slots;
}
