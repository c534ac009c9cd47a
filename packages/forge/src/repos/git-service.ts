// Runs one git service process for a smart HTTP request and joins it to the request and the
// response with stream.pipeline: request body → decoding and checks → git stdin, git stdout →
// response. An error anywhere, the client going away, or the wall-clock limit kills git
// (SIGKILL) and ends that request alone. The answer starts only once git has written
// something, so a body refused before that (gzip bomb, bad pack) gets a 4xx problem+json;
// later, the response is cut short. Each process holds a slot (git-service-slots.ts).
import type { ChildProcess } from "node:child_process";
import { pipeline, Readable, Transform } from "node:stream";
import type { Context } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { gitSpawn } from "./git.ts";
import { clientKey, gitServiceSlots } from "./git-service-slots.ts";
import { badGzip, isGzipError } from "./gzip-body.ts";

/** Receives git's output as it goes to the client, then whether the answer ended well. */
export interface OutputRecorder {
  write(chunk: Buffer): void;
  end(ok: boolean): void;
}

export interface GitServiceRun {
  args: string[];
  env?: Record<string, string>;
  contentType: string;
  /** The request body and the streams it goes through before git (decoding, caps, checks). */
  input?: { body: ReadableStream<Uint8Array> | null; through: Transform[] };
  /** Written before git's output (the info/refs service line). */
  prefix?: string;
  /** Runs after git exits and before the response ends (the client waits), with the last 64 KiB of git's output. */
  after?: (code: number | null, output: string) => Promise<void>;
  /** Keeps a copy of git's output (fetch-cache.ts). */
  record?: OutputRecorder;
}

/** Git stopped reading its stdin (it finished or failed): its exit and output tell the rest. */
const stdinClosed = (err: unknown) => {
  const code = (err as { code?: string })?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_PREMATURE_CLOSE";
};

export async function runGitService(c: Context<AppEnv>, run: GitServiceRun): Promise<Response> {
  const forge = c.get("forge");
  const log = c.var.log;
  const signal = c.req.raw.signal;
  const release = await gitServiceSlots(forge).acquire(clientKey(c.get("viewer")), signal);
  let child: ChildProcess;
  try {
    child = gitSpawn(run.args, { env: run.env });
  } catch (err) {
    release();
    throw err;
  }
  let failure: unknown;
  let started = false;
  let begin!: () => void;
  let refuse!: (err: unknown) => void;
  const start = new Promise<void>((resolve, reject) => {
    begin = () => {
      started = true;
      resolve();
    };
    refuse = reject;
  });
  /** Ends the request: kills git; refuses the request if nothing was answered yet. */
  const fail = (err: unknown) => {
    if (failure !== undefined) return;
    failure = err;
    run.record?.end(false);
    child.kill("SIGKILL");
    if (signal.aborted) log.debug({ err }, "git client went away");
    else log.warn({ err }, "git service request ended early");
    if (!started) refuse(answerFor(err, signal));
  };

  const timer = setTimeout(
    () => fail(new AppError("unavailable", "The git operation took too long and was stopped")),
    forge.config.git.timeoutMs,
  );
  const onAbort = () => fail(gone());
  signal.addEventListener("abort", onAbort, { once: true });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString("utf8");
  });
  child.on("error", fail);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      release();
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (code !== 0 && failure === undefined)
        log.warn({ code, stderr: stderr.trim() }, "git service exited with an error");
      resolve(code);
    }),
  );
  if (signal.aborted) onAbort();

  let output = "";
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      // The end is kept: receive-pack's report-status (ok/ng per ref) comes last.
      if (run.after) output = (output + chunk.toString("latin1")).slice(-65_536);
      run.record?.write(chunk);
      done(null, chunk);
      if (!started) begin();
    },
    flush(done) {
      void exited.then(async (code) => {
        if (!started) {
          if (code === 0) begin();
          else fail(new AppError("invalid", "git could not serve this request"));
        }
        if (run.after) await run.after(code, output).catch((err) => log.error({ err }, "after git service"));
        run.record?.end(code === 0 && failure === undefined);
        done();
      });
    },
  });
  if (run.prefix) out.push(Buffer.from(run.prefix));
  pipeline(child.stdout!, out, (err) => {
    if (err) fail(err);
  });

  child.stdin!.on("error", () => {});
  if (run.input?.body) {
    const source = Readable.fromWeb(run.input.body as import("node:stream/web").ReadableStream);
    pipeline([source, ...run.input.through, child.stdin!], (err) => {
      if (err && !stdinClosed(err)) fail(err);
    });
  } else {
    child.stdin!.end();
  }

  await start;
  return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, {
    status: 200,
    headers: { "Content-Type": run.contentType, "Cache-Control": "no-cache, max-age=0, must-revalidate" },
  });
}

/**
 * What to answer for an error before git wrote anything. The rest of the body may be unread:
 * the connection closes after the answer rather than being reused.
 */
function answerFor(err: unknown, signal: AbortSignal): unknown {
  const known = err instanceof AppError ? err : isGzipError(err) ? badGzip() : signal.aborted ? gone() : null;
  if (!known) return err;
  const headers = { ...(known.details.headers as Record<string, string> | undefined), Connection: "close" };
  return new AppError(known.kind, known.message, { ...known.details, headers });
}

const gone = () => new AppError("invalid", "The client went away");
