// XDR (RFC 4506), the encoding of ONC RPC and NFS: big-endian 32-bit units, 64-bit hyper
// integers as two units, variable opaque data and strings as a length then the bytes padded
// to a multiple of four. The reader refuses what runs past its buffer or a cap (XdrError),
// so a malformed call is answered GARBAGE_ARGS and never crashes the server.
export class XdrError extends Error {}

const pad = (n: number) => (4 - (n % 4)) % 4;

export class XdrWriter {
  private chunks: Buffer[] = [];
  private cur = Buffer.allocUnsafe(256);
  private at = 0;

  private room(n: number) {
    if (this.at + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.at));
    this.cur = Buffer.allocUnsafe(Math.max(256, n));
    this.at = 0;
  }
  uint(v: number) {
    this.room(4);
    this.cur.writeUInt32BE(v >>> 0, this.at);
    this.at += 4;
    return this;
  }
  int(v: number) {
    this.room(4);
    this.cur.writeInt32BE(v | 0, this.at);
    this.at += 4;
    return this;
  }
  bool(v: boolean) {
    return this.uint(v ? 1 : 0);
  }
  hyper(v: bigint | number) {
    this.room(8);
    this.cur.writeBigUInt64BE(BigInt.asUintN(64, BigInt(v)), this.at);
    this.at += 8;
    return this;
  }
  fixed(data: Uint8Array) {
    this.room(data.length + 3);
    this.cur.set(data, this.at);
    this.at += data.length;
    const p = pad(data.length);
    this.cur.fill(0, this.at, this.at + p);
    this.at += p;
    return this;
  }
  opaque(data: Uint8Array) {
    return this.uint(data.length).fixed(data);
  }
  string(s: string) {
    return this.opaque(Buffer.from(s, "utf8"));
  }
  /** Writes `v` only when present: a bool, then the value (XDR's optional-data). */
  optional<T>(v: T | undefined | null, write: (v: T) => void) {
    this.bool(v !== undefined && v !== null);
    if (v !== undefined && v !== null) write(v);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat([...this.chunks, this.cur.subarray(0, this.at)]);
  }
}

export class XdrReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  private take(n: number): number {
    if (n < 0 || this.at + n > this.buf.length) throw new XdrError("XDR data ends early");
    const start = this.at;
    this.at += n;
    return start;
  }
  uint(): number {
    return this.buf.readUInt32BE(this.take(4));
  }
  int(): number {
    return this.buf.readInt32BE(this.take(4));
  }
  bool(): boolean {
    const v = this.uint();
    if (v > 1) throw new XdrError(`not a bool: ${v}`);
    return v === 1;
  }
  hyper(): bigint {
    return this.buf.readBigUInt64BE(this.take(8));
  }
  fixed(n: number): Buffer {
    const start = this.take(n + pad(n));
    return this.buf.subarray(start, start + n);
  }
  opaque(max = 1 << 30): Buffer {
    const n = this.uint();
    if (n > max) throw new XdrError(`opaque of ${n} bytes exceeds ${max}`);
    return this.fixed(n);
  }
  string(max = 4096): string {
    return this.opaque(max).toString("utf8");
  }
  optional<T>(read: () => T): T | undefined {
    return this.bool() ? read() : undefined;
  }
  get remaining() {
    return this.buf.length - this.at;
  }
}
