// A job survives a process restart: PGlite in a temporary data directory is closed while a
// worker is in the middle of a job, reopened (as a new process would), and a new worker
// finishes the job once the dead worker's lease has expired.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../db/db.ts";
import { migrate } from "../db/migrate.ts";
import { enqueue, getJob } from "./queue.ts";
import { waitFor } from "./test-support.ts";
import type { JobLogger } from "./types.ts";
import { JobWorker } from "./worker.ts";

describe("job queue across a restart (PGlite data directory)", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-jobs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finishes a job whose worker died mid-run", async () => {
    const errors: string[] = [];
    const log: JobLogger = { info() {}, warn() {}, error: (_o, msg) => errors.push(msg ?? "") };

    // First process: the worker starts the job, then the database goes away under it.
    const first = await openDatabase({ dir });
    await migrate(first);
    const id = await enqueue(first.db, "import", { repo: "ada/engine" });
    const doomed = new JobWorker({
      db: first.db,
      id: "doomed",
      pollMs: 10,
      leaseMs: 200,
      log,
      handlers: {
        import: (_p, ctx) =>
          new Promise((_resolve, reject) =>
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
          ),
      },
    });
    await doomed.start();
    await waitFor(() => doomed.running.includes(id), { what: "job to start" });
    await first.close();
    // Let go of the stuck handler; the worker can record nothing on the closed database.
    await doomed.stop({ abortAfterMs: 0 });
    expect(errors).toContain("recording job outcome failed");

    // Second process: the job is still there, marked running by the dead worker.
    const second = await openDatabase({ dir });
    try {
      expect(await migrate(second)).toEqual([]);
      expect(await getJob(second.db, id)).toMatchObject({
        state: "running",
        locked_by: "doomed",
        attempts: 1,
      });
      const seen: unknown[] = [];
      const worker = new JobWorker({
        db: second.db,
        pollMs: 10,
        leaseMs: 200,
        handlers: {
          import: async (payload, ctx) => {
            seen.push([payload, ctx.attempt]);
          },
        },
      });
      await worker.start();
      try {
        await waitFor(async () => (await getJob(second.db, id))?.state === "completed", {
          what: "completion",
        });
      } finally {
        await worker.stop();
      }
      expect(seen).toEqual([[{ repo: "ada/engine" }, 2]]);
      expect(await getJob(second.db, id)).toMatchObject({ attempts: 2, locked_by: worker.id });
    } finally {
      await second.close();
    }
  });
});
