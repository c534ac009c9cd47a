// Checks a push as it streams into `git receive-pack`: the ref-update commands (pkt-lines up
// to a flush) must be well formed and within a size, and what follows must be nothing (only
// deletions) or a pack whose header ("PACK", version 2 or 3, object count) is sound, with no
// more objects and bytes than the forge takes. Git itself also checks each object
// (receive.fsckObjects) and the pack size (receive.maxInputSize): receivePackConfig.
import { Transform, type TransformCallback } from "node:stream";
import { AppError } from "../errors/app-error.ts";

export interface PushLimits {
  /** The largest ref-update section (commands before the pack). */
  maxRequestBytes: number;
  maxPushBytes: number;
  maxPushObjects: number;
}

/** `git -c` arguments that make receive-pack check every object and cap the pack's size. */
export function receivePackConfig(limits: PushLimits): string[] {
  return [
    "-c",
    "receive.fsckObjects=true",
    "-c",
    "transfer.fsckObjects=true",
    "-c",
    `receive.maxInputSize=${limits.maxPushBytes}`,
  ];
}

const malformed = (why: string) => new AppError("invalid", `Malformed push: ${why}`);

/** A pass-through stream that fails (400 or 413) as soon as the push breaks a rule. */
export function packGuard(limits: PushLimits): Transform {
  let state: "commands" | "header" | "pack" = "commands";
  let commandBytes = 0;
  let packBytes = 0;
  /** Payload bytes of the current pkt-line still to pass without a look. */
  let skip = 0;
  /** Bytes not yet judged (a partial pkt-line length or pack header), held back from git. */
  let held: Buffer = Buffer.alloc(0);

  const judge = (buf: Buffer) => {
    let i = 0;
    while (i < buf.length) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length - i);
        skip -= n;
        i += n;
      } else if (state === "commands") {
        if (buf.length - i < 4) {
          held = buf.subarray(i);
          return;
        }
        const hex = buf.toString("latin1", i, i + 4);
        if (!/^[0-9a-f]{4}$/i.test(hex)) throw malformed("a ref-update line has a bad length");
        const len = Number.parseInt(hex, 16);
        i += 4;
        if (len === 0) state = "header";
        else if (len < 4) throw malformed("unexpected special packet among the ref updates");
        else {
          commandBytes += len;
          if (commandBytes > limits.maxRequestBytes)
            throw new AppError(
              "too_large",
              `The ref updates of this push exceed ${limits.maxRequestBytes} bytes`,
            );
          skip = len - 4;
        }
      } else if (state === "header") {
        if (buf.length - i < 12) {
          held = buf.subarray(i);
          return;
        }
        checkHeader(buf.subarray(i, i + 12), limits);
        state = "pack";
      } else {
        packBytes += buf.length - i;
        if (packBytes > limits.maxPushBytes)
          throw new AppError("too_large", `The pack is larger than ${limits.maxPushBytes} bytes`, {
            limit: limits.maxPushBytes,
          });
        return;
      }
    }
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const buf = held.length ? Buffer.concat([held, chunk]) : chunk;
      held = Buffer.alloc(0);
      try {
        judge(buf);
      } catch (err) {
        return done(err as Error);
      }
      done(null, buf.subarray(0, buf.length - held.length));
    },
    flush(done: TransformCallback) {
      if (state === "commands" && (held.length > 0 || skip > 0 || commandBytes > 0))
        return done(malformed("the ref updates are cut short"));
      if (state === "header" && held.length > 0) return done(malformed("the pack header is cut short"));
      done();
    },
  });
}

function checkHeader(header: Buffer, limits: PushLimits): void {
  if (header.toString("latin1", 0, 4) !== "PACK")
    throw malformed("what follows the ref updates is not a pack");
  const version = header.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw malformed(`pack version ${version} is not supported`);
  const objects = header.readUInt32BE(8);
  if (objects > limits.maxPushObjects)
    throw new AppError(
      "too_large",
      `The push has ${objects} objects; this forge takes at most ${limits.maxPushObjects} in one push`,
      { limit: limits.maxPushObjects },
    );
}
