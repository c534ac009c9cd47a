// mic-fs's view of the forge: a position resolved to its tree, tree listings and blobs by id
// (GET …/trees/{sha}, GET …/objects/{sha} with Range for large files, POST …/objects/batch
// for many small ones), each answer kept in the shared content cache, so a second mount or a
// restart reads from disk. Listings and batches are asked for compressed (br, gzip); a blob
// whose earlier version (same path, an older position: hint()) is cached is asked for as a
// git delta from it, applied here and checked against the blob's id before it is kept.
// Counts the bytes it received as they crossed the network (the benchmark reports them).
import { applyDelta } from "@micelio/core/delta/git-delta";
import { request, requestBody } from "../client.ts";
import { type Connection, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { parseBatch } from "./batch-frames.ts";
import { blobId, type ContentCache, treeId } from "./cache.ts";

export interface TreeEntry {
  name: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size: number | null;
}

export interface Resolved {
  commit: string | null;
  tree: string;
  position: number | null;
  head_position: number;
  /** Where blobs are fetched by id (`{sha}`): a CDN's URL, or a signed one for a private project. */
  objects_url?: string;
  objects_url_expires_at?: string | null;
}

/** Files at least this large are read in ranges and never cached whole. */
export const LARGE_FILE = 8 * 1024 * 1024;

/** Hints kept (blob id → the id of its earlier version); the oldest go first past this. */
const MAX_HINTS = 200_000;

export class Remote {
  received = 0;
  requests = 0;
  /** Blobs that came as deltas, and the bytes those deltas stood for. */
  deltas = 0;
  deltaSaved = 0;
  /** Tree listings that came as deltas from an earlier listing. */
  treeDeltas = 0;
  /** MIC_FS_DELTAS=0: never ask for deltas (the benchmark's "before"). */
  useDeltas = process.env.MIC_FS_DELTAS !== "0";
  /** What listings and batches may come compressed with; MIC_FS_ENCODING=identity: not at all. */
  acceptEncoding = process.env.MIC_FS_ENCODING ?? "br, gzip";
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly bases = new Map<string, string>();

  constructor(
    readonly conn: Connection,
    readonly project: { owner: string; project: string },
    readonly cache: ContentCache,
  ) {}

  private get base() {
    return `${this.conn.server}${projectPath(this.project)}`;
  }

  /** The object URL template of the last resolve, while it is good (objects_url). */
  private objects: { url: string; until: number } | null = null;

  async resolve(at?: string): Promise<Resolved> {
    this.requests++;
    const q = at ? `?at=${encodeURIComponent(at)}` : "";
    const r = await request<Resolved>(this.conn, "GET", `${projectPath(this.project)}/resolve${q}`);
    if (r.objects_url?.includes("{sha}"))
      this.objects = {
        url: r.objects_url,
        until: r.objects_url_expires_at ? Date.parse(r.objects_url_expires_at) : Number.POSITIVE_INFINITY,
      };
    return r;
  }

  /**
   * A blob (or a range of it) from the object URL the forge gave (its CDN, or a signed URL that
   * carries no credentials), else from the API with the token; a template close to expiry or
   * that fails is dropped for the API path.
   */
  private async object(sha: string, extra: Record<string, string> = {}): Promise<Buffer> {
    const t = this.objects;
    if (t && t.until - Date.now() > 30_000) {
      try {
        return await this.bytes("GET", t.url.replace("{sha}", sha), undefined, extra, true);
      } catch {
        this.objects = null;
      }
    }
    return this.bytes("GET", `/objects/${sha}`, undefined, extra);
  }

  /** `have` (cached) is an earlier version of blob `want`: ask for `want` as a delta from it. */
  hint(want: string, have: string) {
    if (!this.useDeltas || want === have || this.cache.has(want)) return;
    if (this.bases.size >= MAX_HINTS) this.bases.delete(this.bases.keys().next().value!);
    this.bases.set(want, have);
  }

  private baseOf(sha: string) {
    const have = this.bases.get(sha);
    return have && this.cache.has(have) ? have : undefined;
  }

  /** A tree's listing if the cache has it (no request). */
  async cachedTree(sha: string): Promise<TreeEntry[] | null> {
    if (!this.cache.has(`t${sha}`)) return null;
    const hit = await this.cache.get(`t${sha}`);
    return hit ? (JSON.parse(hit.toString("utf8")) as TreeEntry[]) : null;
  }

  /**
   * A tree's listing: from the cache, else the forge; with `base` (the same directory's tree
   * at the previous position) listed in the cache, asked for as a delta from that listing,
   * which is kept only if the git tree it describes has the id asked for.
   */
  async tree(sha: string, base?: string): Promise<TreeEntry[]> {
    const key = `t${sha}`;
    const hit = await this.cache.get(key);
    if (hit) return JSON.parse(hit.toString("utf8")) as TreeEntry[];
    const was = base && base !== sha && this.useDeltas ? await this.cache.get(`t${base}`) : undefined;
    const q = was ? `?base=${base}` : "";
    const got = await this.fetch("GET", `/trees/${sha}${q}`, undefined, {
      "accept-encoding": this.acceptEncoding,
    });
    let entries: TreeEntry[] | null = null;
    if (was && got.type?.startsWith("application/x-git-delta")) {
      try {
        const listed = JSON.parse(
          Buffer.from(applyDelta(was, got.data, 16 << 20)).toString("utf8"),
        ) as TreeEntry[];
        if (treeId(listed) === sha) {
          entries = listed;
          this.treeDeltas++;
        }
      } catch {
        /* a bad delta: the listing whole, below */
      }
      if (!entries) return this.tree(sha);
    }
    entries ??= (JSON.parse(got.data.toString("utf8")) as { entries: TreeEntry[] }).entries;
    await this.cache.put(key, Buffer.from(JSON.stringify(entries)));
    return entries;
  }

  /** A blob's bytes: from the cache, else the forge (checked against its id, then kept). */
  async blob(sha: string): Promise<Buffer> {
    const hit = await this.cache.get(sha);
    if (hit) return hit;
    let p = this.inflight.get(sha);
    if (!p) {
      // With a cached earlier version, one batch request for a delta from it.
      const fetched = this.baseOf(sha)
        ? this.fetchMany([sha], false).then(() => this.cache.get(sha))
        : Promise.resolve(undefined);
      p = fetched.then(async (got) => {
        if (got) return got;
        const data = await this.object(sha);
        if (blobId(data) !== sha)
          throw new CliError(`the forge sent wrong bytes for ${sha}`, EXIT.unreachable);
        await this.cache.put(sha, data);
        return data;
      });
      this.inflight.set(sha, p);
      void p.finally(() => this.inflight.delete(sha)).catch(() => {});
    }
    return p;
  }

  /** Part of a large blob, never cached whole. */
  range(sha: string, start: number, end: number): Promise<Buffer> {
    return this.object(sha, { range: `bytes=${start}-${end}` });
  }

  private prefetching: Promise<void> = Promise.resolve();

  /**
   * Fetches the blobs not yet cached, many per request, and keeps them. Prefetches run one at
   * a time, so listing a large tree does not queue hundreds of batches in front of the reads a
   * client is waiting for.
   */
  prefetch(ids: string[]): Promise<void> {
    const run = this.prefetching.then(() => this.fetchMany(ids));
    this.prefetching = run.catch(() => {});
    return run;
  }

  private async fetchMany(ids: string[], skipInflight = true) {
    const want = [...new Set(ids)].filter(
      (id) => !this.cache.has(id) && !(skipInflight && this.inflight.has(id)),
    );
    for (let i = 0; i < want.length; i += 256) {
      let ask = want.slice(i, i + 256);
      let withBases = true;
      while (ask.length) {
        const bases: Record<string, string> = {};
        for (const id of withBases ? ask : []) {
          const have = this.baseOf(id);
          if (have) bases[id] = have;
        }
        const body = await this.bytes(
          "POST",
          "/objects/batch",
          JSON.stringify(Object.keys(bases).length ? { ids: ask, bases } : { ids: ask }),
          { "accept-encoding": this.acceptEncoding },
        );
        const again: string[] = [];
        for (const f of parseBatch(body)) {
          if (f.kind === "deferred") again.push(f.sha);
          else if (f.kind === "delta") {
            const data = await this.undelta(f.sha, f.base, f.data);
            if (data) await this.cache.put(f.sha, data);
            else again.push(f.sha); // its base left the cache, or a bad delta: ask for it whole
          } else if (f.kind === "object" && f.type === "blob" && blobId(f.data) === f.sha)
            await this.cache.put(f.sha, f.data);
        }
        const progressed = again.length < ask.length;
        if (!progressed && withBases)
          withBases = false; // one more try, whole blobs
        else if (!progressed) break;
        ask = again;
      }
    }
  }

  /** A delta frame's blob: the base from the cache, the delta applied, the id checked. */
  private async undelta(sha: string, base: string, delta: Buffer): Promise<Buffer | null> {
    this.bases.delete(sha);
    const have = await this.cache.get(base);
    if (!have) return null;
    try {
      const data = Buffer.from(applyDelta(have, delta, LARGE_FILE));
      if (blobId(data) !== sha) return null;
      this.deltas++;
      this.deltaSaved += data.length - delta.length;
      return data;
    } catch {
      return null;
    }
  }

  private async bytes(
    method: string,
    path: string,
    body?: string,
    extra: Record<string, string> = {},
    absolute = false,
  ): Promise<Buffer> {
    return (await this.fetch(method, path, body, extra, absolute)).data;
  }

  private async fetch(
    method: string,
    path: string,
    body?: string,
    extra: Record<string, string> = {},
    absolute = false,
  ): Promise<{ data: Buffer; type?: string }> {
    const url = new URL(absolute ? path : this.base + path);
    const headers: Record<string, string> = { ...extra };
    // The token goes only to the forge itself, never to a CDN, and not with a signed URL.
    const toForge =
      !absolute || (url.origin === new URL(this.conn.server).origin && !url.searchParams.has("sig"));
    if (this.conn.token && toForge) headers.authorization = `Bearer ${this.conn.token}`;
    if (body) headers["content-type"] = "application/json";
    this.requests++;
    const { data, wire, type } = await requestBody(url, method, headers, body);
    this.received += wire;
    return { data, type };
  }
}
