// The last resort of a serving process: an error that escaped every handler (a stream error
// with no listener, a rejection nobody awaited) is logged with its stack and the forge keeps
// serving instead of exiting with every request and job in flight. Inside a job it fails that
// job (retried as usual). This is not what makes routes safe: stream chains are joined with
// pipeline and errors mapped to answers (test/aborted-bodies.test.ts proves it per route);
// this catches what a future mistake lets through, so one client cannot stop the instance.
import { failJobOfEscapedError } from "../jobs/index.ts";
import type { Logger } from "./logger.ts";

export function installLastResort(log: Pick<Logger, "error">): () => void {
  const onError = (kind: string) => (err: unknown) => {
    if (failJobOfEscapedError(err)) return; // the worker logs the failed job
    log.error({ err, kind }, "an error escaped its request or job; still serving");
  };
  const uncaught = onError("uncaughtException");
  const unhandled = onError("unhandledRejection");
  process.on("uncaughtException", uncaught);
  process.on("unhandledRejection", unhandled);
  return () => {
    process.off("uncaughtException", uncaught);
    process.off("unhandledRejection", unhandled);
  };
}
