// Cron-style schedules on top of the queue (using croner): on every tick of a pattern, a job
// is enqueued with the unique key cron:<name>:<slot>, so any number of processes running the
// same schedule enqueue each slot once. The job itself runs on whichever worker claims it.
import { Cron } from "croner";
import type { Db } from "../db/db.ts";
import { enqueue } from "./queue.ts";
import { type JobLogger, silentLogger } from "./types.ts";

export interface CronSchedule {
  /** Names the schedule in unique keys and logs; must be the same in every process. */
  name: string;
  /** A croner pattern: 5 fields (minutes), 6 (seconds) or 7 (years), or @daily and the like. */
  pattern: string;
  kind: string;
  payload?: Record<string, unknown>;
  maxAttempts?: number;
  /** IANA time zone the pattern is read in (default: the process's local time). */
  timezone?: string;
  log?: JobLogger;
}

/** The unique key of the job for one slot of a schedule. */
export function cronSlotKey(name: string, slot: Date): string {
  return `cron:${name}:${slot.toISOString()}`;
}

/**
 * The slot a tick at `at` belongs to: the latest time matching the pattern at or before
 * `at` (so a timer that fires a little late still names the same slot), or null if none.
 */
export function cronSlot(pattern: string, at: Date, timezone?: string): Date | null {
  const cron = new Cron(pattern, { timezone, paused: true });
  try {
    return slotOf(cron, at);
  } finally {
    cron.stop();
  }
}

function slotOf(cron: Cron, at: Date): Date | null {
  // previousRuns() excludes a run exactly at the reference but includes one earlier in
  // the same second, hence the extra millisecond.
  return cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}

/**
 * Starts a schedule; returns a function that stops it. The promise it returns settles once
 * an enqueue in progress (if any) is done, for a graceful shutdown; it may be ignored.
 */
export function scheduleCron(db: Db, schedule: CronSchedule): () => Promise<void> {
  const log = schedule.log ?? silentLogger;
  let inFlight: Promise<void> | undefined;
  const cron = new Cron(
    schedule.pattern,
    { timezone: schedule.timezone, protect: true, catch: true },
    (self: Cron) => {
      const slot = slotOf(self, new Date());
      if (!slot) return;
      inFlight = tick(slot).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  );

  async function tick(slot: Date): Promise<void> {
    const where = { cron: schedule.name, slot: slot.toISOString() };
    try {
      const id = await enqueue(db, schedule.kind, schedule.payload ?? {}, {
        uniqueKey: cronSlotKey(schedule.name, slot),
        uniqueScope: "all",
        maxAttempts: schedule.maxAttempts,
      });
      log.info({ ...where, job: id }, "cron job enqueued");
    } catch (err) {
      log.error({ ...where, err }, "enqueueing cron job failed");
    }
  }

  return async () => {
    cron.stop();
    await inFlight;
  };
}
