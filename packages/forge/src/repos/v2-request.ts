// The start of a protocol v2 upload-pack request (gitprotocol-v2: `command=<name>`, capability
// lines, maybe a delimiter and arguments, a flush), read by the forge for the commands it answers
// itself (bundle-uri, ls-refs). Only the first pkt-line is read before deciding; a command the
// forge does not answer, or a request it gives up on, goes on to upload-pack with every byte
// read put back in front of the rest of the body.
import { type Pkt, PktError, pktLine, readPkts } from "./bundles/pkt-line.ts";

/** Capabilities git's clients send with every command (and git's upload-pack takes). */
const USUAL_CAPABILITY = /^(agent=|server-option=)|^object-format=sha1$/;

/**
 * A v2 request's argument lines (after the delimiter), as git's reader gives them (one trailing
 * newline dropped), when its capabilities are only the usual ones and every packet is a
 * non-empty UTF-8 line; null otherwise (the forge leaves such a request to git).
 */
export function usualArgs(pkts: Pkt[]): string[] | null {
  const args: string[] = [];
  let inArgs = false;
  for (const p of pkts) {
    if (p.kind === "delim" && !inArgs) {
      inArgs = true;
      continue;
    }
    if (p.kind !== "data" || p.data.length === 0) return null;
    const s = p.data.toString("utf8");
    if (s.includes("\uFFFD") || s.includes("\0")) return null;
    const line = s.endsWith("\n") ? s.slice(0, -1) : s;
    if (inArgs) args.push(line);
    else if (!USUAL_CAPABILITY.test(line)) return null;
  }
  return args;
}

export type V2Peek =
  /** Not one of the commands asked for: the body to hand to upload-pack. */
  | { kind: "other"; body: ReadableStream<Uint8Array> | null }
  /** The command's packets after the command line, up to (not including) the flush. */
  | { kind: "request"; command: string; pkts: Pkt[]; pass: () => ReadableStream<Uint8Array> }
  /** The command, but its request could not be read whole within `max` bytes. */
  | {
      kind: "incomplete";
      command: string;
      reason: "ended" | "too-long" | "malformed";
      detail: string;
      pass: () => ReadableStream<Uint8Array>;
    };

const startsLike = (buf: Buffer, want: Buffer) =>
  buf.subarray(0, want.length).equals(want.subarray(0, Math.min(buf.length, want.length)));

/** A body stream giving `first` and then the rest of `reader`. */
function rejoin(first: Buffer, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      if (first.length > 0) ctrl.enqueue(new Uint8Array(first));
    },
    async pull(ctrl) {
      const { done, value } = await reader.read();
      if (done) ctrl.close();
      else ctrl.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Reading the body failed (the client went away, or a decoding step refused it: `cause`). */
export class ClientGone extends Error {}

/**
 * Reads the request in `body` (not content-encoded) if its first pkt-line is `command=<name>`
 * for one of `commands`, as far as its flush and at most `max(command)` bytes.
 */
export async function peekV2(
  body: ReadableStream<Uint8Array> | null,
  commands: readonly string[],
  max: (command: string) => number,
): Promise<V2Peek> {
  if (!body) return { kind: "other", body };
  const lines = commands.flatMap((name) => [
    { name, pkt: pktLine(`command=${name}\n`) },
    { name, pkt: pktLine(`command=${name}`) },
  ]);
  const reader = body.getReader();
  let buf = Buffer.alloc(0);
  let ended = false;
  const more = async () => {
    const { done, value } = await reader.read().catch((cause) => {
      throw new ClientGone("The client went away", { cause });
    });
    if (done) ended = true;
    else buf = Buffer.concat([buf, value]);
  };
  const longest = Math.max(...lines.map((l) => l.pkt.length));
  while (!ended && buf.length < longest && lines.some((l) => startsLike(buf, l.pkt))) await more();
  const line = lines.find((l) => buf.length >= l.pkt.length && buf.subarray(0, l.pkt.length).equals(l.pkt));
  if (!line) return { kind: "other", body: rejoin(buf, reader) };

  const pass = () => rejoin(buf, reader);
  for (;;) {
    let parsed: ReturnType<typeof readPkts>;
    try {
      parsed = readPkts(buf.subarray(line.pkt.length));
    } catch (err) {
      if (!(err instanceof PktError)) throw err;
      return { kind: "incomplete", command: line.name, reason: "malformed", detail: err.message, pass };
    }
    const flush = parsed.pkts.findIndex((p) => p.kind === "flush");
    if (flush >= 0) return { kind: "request", command: line.name, pkts: parsed.pkts.slice(0, flush), pass };
    if (ended) return { kind: "incomplete", command: line.name, reason: "ended", detail: "no flush", pass };
    if (buf.length > max(line.name))
      return { kind: "incomplete", command: line.name, reason: "too-long", detail: "", pass };
    await more();
  }
}

/** A 200 answer to an upload-pack request, as upload-pack's would be sent. */
export const uploadPackResult = (body: Uint8Array | ReadableStream<Uint8Array>) =>
  new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "application/x-git-upload-pack-result",
      "Cache-Control": "no-cache, max-age=0, must-revalidate",
    },
  });
