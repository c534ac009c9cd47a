import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DELIM, pktLine, readPkts } from "./bundles/pkt-line.ts";
import { FileRecorder, fetchKeyParts } from "./fetch-cache.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-fetch-cache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const A = "a".repeat(40);
const B = "b".repeat(40);
const parts = (caps: string[], args: string[]) =>
  fetchKeyParts(
    readPkts(
      Buffer.concat([...caps.map((c) => pktLine(`${c}\n`)), DELIM, ...args.map((a) => pktLine(`${a}\n`))]),
    ).pkts,
  );

describe("kept fetch answers", () => {
  it("keeps only negotiation-free requests with the usual options, keyed the same whatever their order", () => {
    const one = parts(
      ["agent=git/2.39.5", "object-format=sha1"],
      ["thin-pack", `want ${B}`, `want ${A}`, "ofs-delta", "done"],
    );
    expect(one).toEqual({ options: ["ofs-delta", "thin-pack"], wants: [A, B] });
    expect(parts([], ["ofs-delta", `want ${A}`, `want ${B}`, `want ${A}`, "thin-pack", "done"])).toEqual(one);
    expect(parts([], [`want ${A}`])).toBeNull(); // negotiation goes on
    expect(parts([], [`want ${A}`, `have ${B}`, "done"])).toBeNull();
    expect(parts([], [`want ${A}`, "deepen 1", "done"])).toBeNull();
    expect(parts([], [`want ${A}`, "filter blob:none", "done"])).toBeNull();
    expect(parts([], ["want-ref refs/heads/main", "done"])).toBeNull();
    expect(parts([], ["done"])).toBeNull();
    expect(parts(["object-format=sha256"], [`want ${A}`, "done"])).toBeNull();
  });

  it("keeps an answer only when it ended well and within its cap, and never leaves a partial file", async () => {
    const files = () => readdirSync(work).sort();
    const kept = new FileRecorder(join(work, "kept.fetch"));
    kept.write(Buffer.from("0008abcd"));
    kept.write(Buffer.from("0000"));
    await kept.end(true);
    expect(readFileSync(join(work, "kept.fetch"), "utf8")).toBe("0008abcd0000");

    const failed = new FileRecorder(join(work, "failed.fetch"));
    failed.write(Buffer.from("0008abcd"));
    await failed.end(false);
    const big = new FileRecorder(join(work, "big.fetch"), 10);
    big.write(Buffer.alloc(8));
    big.write(Buffer.alloc(8));
    await big.end(true);
    expect(files()).toEqual(["kept.fetch"]);
  });
});
