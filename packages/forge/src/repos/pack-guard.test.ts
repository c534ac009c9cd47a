import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { packGuard } from "./pack-guard.ts";

const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;
const limits = { maxRequestBytes: 1000, maxPushBytes: 100, maxPushObjects: 3 };
const commands = `${pkt(`${"0".repeat(40)} ${"1".repeat(40)} refs/heads/x\0report-status\n`)}0000`;
const header = (objects: number, version = 2) => {
  const b = Buffer.alloc(12);
  b.write("PACK");
  b.writeUInt32BE(version, 4);
  b.writeUInt32BE(objects, 8);
  return b;
};

/** Feeds `body` through a guard in chunks of `size` bytes; returns what passed or the error. */
async function guard(body: Buffer, size: number): Promise<Buffer | Error> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  try {
    await pipeline(Readable.from(chunks), packGuard(limits), sink);
    return Buffer.concat(out);
  } catch (err) {
    return err as Error;
  }
}

describe("pack guard", () => {
  it("passes a sound push through unchanged, however it is cut into chunks", async () => {
    const body = Buffer.concat([Buffer.from(commands), header(2), Buffer.alloc(40, 9)]);
    for (const size of [1, 3, 5, 12, 64, 1000]) expect(await guard(body, size)).toEqual(body);
    // Only deletions: no pack at all.
    expect(await guard(Buffer.from(commands), 2)).toEqual(Buffer.from(commands));
  });

  it("refuses bad pkt-lines, what is not a pack, bad versions and cut-short bodies", async () => {
    const bad: [Buffer, RegExp][] = [
      [Buffer.from("zzzz"), /bad length/],
      [Buffer.from("0001"), /special packet/],
      [Buffer.concat([Buffer.from(commands), Buffer.from("HELLO, not a pack")]), /not a pack/],
      [Buffer.concat([Buffer.from(commands), header(1, 4)]), /version 4/],
      [Buffer.concat([Buffer.from(commands), header(1).subarray(0, 7)]), /header is cut short/],
      [Buffer.from(commands.slice(0, 30)), /cut short/],
    ];
    for (const [body, message] of bad)
      for (const size of [1, 7, 100]) {
        const r = await guard(body, size);
        expect(r, `${body.toString("latin1")} by ${size}`).toBeInstanceOf(Error);
        expect((r as Error).message).toMatch(message);
      }
  });

  it("refuses too many objects, too large a pack and too many ref updates with 413", async () => {
    const cases = [
      Buffer.concat([Buffer.from(commands), header(4)]),
      Buffer.concat([Buffer.from(commands), header(1), Buffer.alloc(200)]),
      Buffer.from(pkt("x".repeat(600)).repeat(2)),
    ];
    for (const body of cases) {
      const r = await guard(body, 16);
      expect(r).toBeInstanceOf(Error);
      expect((r as { kind?: string }).kind).toBe("too_large");
    }
  });
});
