// Git's pkt-line framing (gitprotocol-common): four hex digits giving the length including
// themselves, then the data; 0000 flush, 0001 delimiter, 0002 response end. Enough to read
// the start of a protocol v2 request and to write short answers.
export type Pkt = { kind: "data"; data: Buffer } | { kind: "flush" | "delim" | "end" };

/** Largest pkt-line git writes or accepts (LARGE_PACKET_MAX). */
export const MAX_PKT = 65_520;

export class PktError extends Error {}

export const pktLine = (data: string | Buffer): Buffer => {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  if (body.length + 4 > MAX_PKT) throw new PktError("pkt-line too long");
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0")), body]);
};
export const FLUSH = Buffer.from("0000");
export const DELIM = Buffer.from("0001");

const SPECIAL = { 0: "flush", 1: "delim", 2: "end" } as const;

/**
 * Reads the complete pkt-lines at the start of `buf`: the packets and how many bytes they
 * took (an incomplete last one is left for more input). Throws PktError on malformed framing.
 */
export function readPkts(buf: Buffer, max = Number.POSITIVE_INFINITY): { pkts: Pkt[]; used: number } {
  const pkts: Pkt[] = [];
  let at = 0;
  while (pkts.length < max && buf.length - at >= 4) {
    const head = buf.toString("latin1", at, at + 4);
    if (!/^[0-9a-f]{4}$/.test(head)) throw new PktError(`bad pkt-line length ${JSON.stringify(head)}`);
    const len = Number.parseInt(head, 16);
    if (len < 4) {
      const kind = SPECIAL[len as 0 | 1 | 2];
      if (!kind) throw new PktError(`bad pkt-line length ${head}`);
      pkts.push({ kind });
      at += 4;
      continue;
    }
    if (len > MAX_PKT) throw new PktError(`pkt-line too long (${len})`);
    if (buf.length - at < len) break;
    pkts.push({ kind: "data", data: buf.subarray(at + 4, at + len) });
    at += len;
  }
  return { pkts, used: at };
}

/** A data packet's text without its trailing newline. */
export const pktText = (p: Pkt) => (p.kind === "data" ? p.data.toString("utf8").replace(/\n$/, "") : null);
