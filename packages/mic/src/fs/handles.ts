// Stable NFS file handles: a handle is 24 bytes, "mf" and a version byte, a reserved byte,
// then the first 20 bytes of SHA-256(project "\0" path) — derived from the project and the
// path alone, so the same file has the same handle in every run of mic. The server keeps the
// reverse map (handle → path) in memory and appends each new pair to a journal in the mount's
// state directory, so handles a client holds still resolve after mic restarts. A renamed file
// gets its new path's handle; the old one answers NFS3ERR_STALE, as a removed file's does.
import { createHash } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";

const MAGIC = Buffer.from([0x6d, 0x66, 1, 0]);

export const handleFor = (project: string, path: string) =>
  Buffer.concat([MAGIC, createHash("sha256").update(`${project}\0${path}`).digest().subarray(0, 20)]);

/** The 64-bit file id NFS shows for a path (its handle's first hash bytes). */
export const fileId = (handle: Buffer) => handle.readBigUInt64BE(4);

export class Handles {
  private readonly paths = new Map<string, string>();

  constructor(
    readonly project: string,
    private readonly journal?: string,
  ) {
    if (journal) {
      try {
        for (const line of readFileSync(journal, "utf8").split("\n")) {
          const tab = line.indexOf("\t");
          if (tab > 0) this.paths.set(line.slice(0, tab), line.slice(tab + 1));
        }
      } catch {
        /* none yet */
      }
    }
    this.of("");
  }

  of(path: string): Buffer {
    const h = handleFor(this.project, path);
    const key = h.toString("hex");
    if (!this.paths.has(key)) {
      this.paths.set(key, path);
      if (this.journal && !path.includes("\n")) appendFileSync(this.journal, `${key}\t${path}\n`);
    }
    return h;
  }

  /** The path a handle names, or undefined (not ours, or never seen). */
  path(handle: Buffer): string | undefined {
    if (handle.length !== 24 || !handle.subarray(0, 4).equals(MAGIC)) return undefined;
    return this.paths.get(handle.toString("hex"));
  }
}
