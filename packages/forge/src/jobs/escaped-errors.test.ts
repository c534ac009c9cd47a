// A job whose handler lets an error escape (thrown from a timer, a rejection nobody awaits,
// a plain throw) fails that job (retried later, with the error recorded), and the worker, in
// a process with the serve entry's last-resort handlers (ops/last-resort.ts), keeps running
// the next jobs instead of the process exiting. Runs in a child process of its own, since
// the escaped errors reach the process handlers.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const exec = promisify(execFile);
const SRC = join(import.meta.dirname, "..");

const script = (withLastResort: boolean) => `
import { sql } from "kysely";
import { testDatabase } from ${JSON.stringify(join(SRC, "testing", "database.ts"))};
import { enqueue, JobWorker } from ${JSON.stringify(join(SRC, "jobs", "index.ts"))};
import { installLastResort } from ${JSON.stringify(join(SRC, "ops", "last-resort.ts"))};
const { handle, cleanup } = await testDatabase({ template: true });
const logged = [];
if (${withLastResort}) installLastResort({ error: (o, msg) => logged.push(msg) });
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const handlers = {
  timer: async () => {
    setTimeout(() => { throw new Error("thrown from a timer"); }, 5);
    await pause(300);
  },
  lost: async () => {
    void Promise.reject(new Error("a rejection nobody awaits"));
    await pause(300);
  },
  plain: async () => { throw new Error("plain throw"); },
  ok: async () => {},
};
const worker = new JobWorker({ db: handle.db, handlers, pollMs: 10, concurrency: 1, backoff: () => 600000 });
for (const kind of ["timer", "lost", "plain", "ok"]) await enqueue(handle.db, kind, {}, { maxAttempts: 3 });
await worker.start();
for (let i = 0; i < 500; i++) {
  const { rows } = await sql\`SELECT count(*)::int AS n FROM jobs WHERE state = 'running' OR (kind = 'ok' AND state <> 'completed')\`.execute(handle.db);
  if (rows[0].n === 0) break;
  await pause(20);
}
await worker.stop();
const jobs = await handle.db.selectFrom("jobs").select(["kind", "state", "attempts", "last_error"]).orderBy("id").execute();
process.stdout.write(JSON.stringify({ jobs, logged }));
await cleanup();
`;

function run(withLastResort: boolean) {
  return exec(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "--eval", script(withLastResort)],
    { cwd: SRC, env: { ...process.env, LOG_LEVEL: "silent" } },
  );
}

describe("errors escaping a job's handler", () => {
  it("fail that job and leave the worker running", async () => {
    const { stdout } = await run(true);
    const { jobs, logged } = JSON.parse(stdout);
    const byKind = Object.fromEntries(jobs.map((j: { kind: string }) => [j.kind, j]));
    expect(byKind.timer).toMatchObject({ state: "available", attempts: 1 });
    expect(byKind.timer.last_error).toContain("thrown from a timer");
    expect(byKind.lost).toMatchObject({ state: "available", attempts: 1 });
    expect(byKind.lost.last_error).toContain("a rejection nobody awaits");
    expect(byKind.plain).toMatchObject({ state: "available", attempts: 1 });
    expect(byKind.ok).toMatchObject({ state: "completed" });
    // Attributed to their jobs, not logged as strays.
    expect(logged).toEqual([]);
  });

  it("would stop the process without the last-resort handlers", async () => {
    await expect(run(false)).rejects.toMatchObject({
      stderr: expect.stringContaining("thrown from a timer"),
    });
  });
});
