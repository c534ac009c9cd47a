// ONC RPC v2 (RFC 5531) over TCP with record marking: each message is sent as fragments, a
// four-byte header (top bit: last fragment; the rest: length) before each. The server reads
// calls, hands each to its program's procedure, and writes the reply; unknown programs,
// versions and procedures, and arguments that do not decode, get the RPC's own errors. Records
// are capped (MAX_RECORD) and a connection that sends more is closed: no input crashes mic.
import net from "node:net";
import { XdrError, XdrReader, XdrWriter } from "./xdr.ts";

export const MAX_RECORD = 4 * 1024 * 1024;
const LAST = 0x80000000;

export interface Call {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  /** AUTH_UNIX credentials, when sent (uid, gid). */
  uid?: number;
  gid?: number;
  args: XdrReader;
}

/** A procedure: reads its arguments from `call.args`, writes its result into `out`. */
export type Procedure = (call: Call, out: XdrWriter) => Promise<void> | void;
export interface Program {
  prog: number;
  vers: number;
  procs: Record<number, Procedure>;
}

const ACCEPT = { success: 0, progUnavail: 1, progMismatch: 2, procUnavail: 3, garbageArgs: 4, systemErr: 5 };

/** One record, with its record-marking header (a single last fragment). */
export function frame(body: Buffer): Buffer {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE((LAST | body.length) >>> 0);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into records; throws when a record would exceed `max`. */
export class RecordReader {
  private pending: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly max = MAX_RECORD) {}

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const records: Buffer[] = [];
    while (this.pending.length >= 4) {
      const head = this.pending.readUInt32BE(0);
      const len = head & 0x7fffffff;
      if (this.size + len > this.max) throw new XdrError(`record over ${this.max} bytes`);
      if (this.pending.length < 4 + len) break;
      this.parts.push(this.pending.subarray(4, 4 + len));
      this.size += len;
      this.pending = this.pending.subarray(4 + len);
      if (head & LAST) {
        records.push(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts));
        this.parts = [];
        this.size = 0;
      }
    }
    return records;
  }
}

function parseCall(msg: Buffer): Call | { xid: number; bad: "rpc" } {
  const r = new XdrReader(msg);
  const xid = r.uint();
  if (r.uint() !== 0) throw new XdrError("not a call");
  if (r.uint() !== 2) return { xid, bad: "rpc" };
  const prog = r.uint();
  const vers = r.uint();
  const proc = r.uint();
  const flavor = r.uint();
  const cred = r.opaque(400);
  r.uint(); // verifier flavor
  r.opaque(400);
  const call: Call = { xid, prog, vers, proc, args: r };
  if (flavor === 1) {
    try {
      const c = new XdrReader(cred);
      c.uint(); // stamp
      c.string(255); // machine name
      call.uid = c.uint();
      call.gid = c.uint();
    } catch {
      /* credentials we cannot read: treated as none */
    }
  }
  return call;
}

const replyHead = (xid: number) => new XdrWriter().uint(xid).uint(1).uint(0);

/** Who may call: AUTH_UNIX's uid (undefined for AUTH_NULL) checked before any procedure runs. */
export type CallerCheck = (uid: number | undefined) => boolean;

async function answer(
  programs: Program[],
  msg: Buffer,
  onError: (e: unknown) => void,
  allowed: CallerCheck,
): Promise<Buffer | null> {
  let call: ReturnType<typeof parseCall>;
  try {
    call = parseCall(msg);
  } catch {
    return null; // not even a call header: nothing to answer
  }
  // MSG_DENIED, RPC_MISMATCH: only version 2 is spoken.
  if ("bad" in call) return new XdrWriter().uint(call.xid).uint(1).uint(1).uint(0).uint(2).uint(2).toBuffer();
  // MSG_DENIED, AUTH_ERROR, AUTH_BADCRED: a caller that is not the user serving the mount.
  if (!allowed(call.uid)) return new XdrWriter().uint(call.xid).uint(1).uint(1).uint(1).uint(1).toBuffer();
  const w = replyHead(call.xid).uint(0).uint(0); // MSG_ACCEPTED, verifier AUTH_NONE (0, empty)
  const versions = programs.filter((p) => p.prog === call.prog);
  const program = versions.find((p) => p.vers === call.vers);
  if (!program) {
    if (!versions.length) return w.uint(ACCEPT.progUnavail).toBuffer();
    const vs = versions.map((p) => p.vers);
    return w
      .uint(ACCEPT.progMismatch)
      .uint(Math.min(...vs))
      .uint(Math.max(...vs))
      .toBuffer();
  }
  const proc = program.procs[call.proc];
  if (!proc) return w.uint(ACCEPT.procUnavail).toBuffer();
  const out = new XdrWriter();
  try {
    await proc(call, out);
  } catch (err) {
    if (err instanceof XdrError) return w.uint(ACCEPT.garbageArgs).toBuffer();
    onError(err);
    return w.uint(ACCEPT.systemErr).toBuffer();
  }
  return Buffer.concat([w.uint(ACCEPT.success).toBuffer(), out.toBuffer()]);
}

/** A TCP server answering the programs' calls; `onError` hears failures inside procedures. */
export function rpcServer(
  programs: Program[],
  onError: (e: unknown) => void = () => {},
  allowed: CallerCheck = () => true,
) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const records = new RecordReader();
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      let msgs: Buffer[];
      try {
        msgs = records.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const msg of msgs)
        void answer(programs, msg, onError, allowed).then((reply) => {
          if (reply && !socket.destroyed) socket.write(frame(reply));
        });
    });
  });
  /** Closes every open connection (the server stops taking new ones with close()). */
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  return Object.assign(server, { dropAll });
}
