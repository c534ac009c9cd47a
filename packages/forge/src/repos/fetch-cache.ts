// Full clones over protocol v2 answered from disk. A `command=fetch` request that names only
// wants, asks for no negotiation (`done`, no haves) and uses only the usual options (thin-pack,
// ofs-delta, no-progress, include-tag) gets the same answer from upload-pack every time for the
// same objects; objects never change, and include-tag adds the tags that point into the pack, so
// the key is the repository, the options, the wants and (with include-tag) the tag refs. Such an
// answer is written to the pack cache's directory while upload-pack streams it to the first
// client (`*.fetch` beside the hook's `*.pack`, pruned with them by ops/maintenance.ts), and the
// next identical request is served from the file: no git process, no slot. Any other request
// goes to upload-pack as before.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, unlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import { finished, Readable } from "node:stream";
import type { Pkt } from "./bundles/pkt-line.ts";
import type { OutputRecorder } from "./git-service.ts";
import { lsRefs } from "./ls-refs.ts";
import { packCacheDir } from "./pack-cache.ts";
import { uploadPackResult, usualArgs } from "./v2-request.ts";

const OPTIONS = new Set(["thin-pack", "ofs-delta", "no-progress", "include-tag"]);
const WANT = /^want ([0-9a-f]{40})$/;
/** Answers larger than this are not kept. */
const MAX_KEPT = (Number(process.env.MICELIO_FETCH_CACHE_MAX_MB) || 512) * 2 ** 20;

/** What identifies a cacheable fetch request's answer (options and wants), or null when it is not one. */
export function fetchKeyParts(pkts: Pkt[]): { options: string[]; wants: string[] } | null {
  const lines = usualArgs(pkts);
  if (!lines) return null;
  const options = new Set<string>();
  const wants = new Set<string>();
  let done = false;
  for (const line of lines) {
    if (OPTIONS.has(line)) options.add(line);
    else if (line === "done") done = true;
    else {
      const want = WANT.exec(line)?.[1];
      if (!want) return null;
      wants.add(want);
    }
  }
  if (!done || wants.size === 0) return null;
  return { options: [...options].sort(), wants: [...wants].sort() };
}

/** Writes an answer to `file` as it streams; kept only when it ended well and within the cap. */
export class FileRecorder implements OutputRecorder {
  private readonly tmp: string;
  private readonly out: ReturnType<typeof createWriteStream>;
  private bytes = 0;
  private broken = false;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly max = MAX_KEPT,
  ) {
    this.tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    this.out = createWriteStream(this.tmp, { flags: "wx" });
    this.out.on("error", () => {
      this.broken = true;
    });
  }

  write(chunk: Buffer) {
    if (this.broken || this.ended) return;
    this.bytes += chunk.length;
    if (this.bytes > this.max) this.broken = true;
    else this.out.write(chunk);
  }

  /** Ends the copy: kept as the answer when `ok`, else removed. Resolves once done (tests). */
  end(ok: boolean): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    this.out.end();
    return new Promise((resolve) =>
      finished(this.out, (err) => {
        const keep = ok && !err && !this.broken;
        (keep ? rename(this.tmp, this.file) : Promise.reject(new Error("dropped")))
          .catch(() => unlink(this.tmp).catch(() => {}))
          .then(() => resolve());
      }),
    );
  }
}

export type FetchFromCache = { response: Response } | { record: OutputRecorder } | null;

/**
 * For a fetch request's packets: the kept answer when there is one, else a recorder to keep
 * upload-pack's answer; null when the request's answer is not kept.
 */
export async function fetchFromCache(dataDir: string, dir: string, pkts: Pkt[]): Promise<FetchFromCache> {
  const parts = fetchKeyParts(pkts);
  if (!parts) return null;
  let tags = "";
  if (parts.options.includes("include-tag")) {
    const listed = await lsRefs(
      dir,
      { symrefs: false, peel: false, unborn: false, prefixes: ["refs/tags/"] },
      async () => null,
    );
    if (!listed) return null;
    tags = listed.toString("latin1");
  }
  const key = createHash("sha256")
    .update(["v2-fetch", dir, parts.options.join(" "), parts.wants.join(" "), tags].join("\0"))
    .digest("hex");
  const cache = packCacheDir(dataDir);
  const file = join(cache, `${key}.fetch`);
  const handle = await open(file, "r").catch(() => null);
  if (handle) {
    const now = new Date();
    utimes(file, now, now).catch(() => {}); // least recently used goes first when pruning
    // Read in 1 MiB pieces: through the web stream and the server's write loop, 64 KiB pieces
    // made a 1.5 MB answer take about three times as long (bench/clone-requests.ts).
    const body = Readable.toWeb(
      handle.createReadStream({ highWaterMark: 1 << 20 }),
    ) as ReadableStream<Uint8Array>;
    return { response: uploadPackResult(body) };
  }
  await mkdir(cache, { recursive: true });
  return { record: new FileRecorder(file) };
}
