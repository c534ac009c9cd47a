// What `mic status`, `mic diff`, `mic land` and `mic sync` do in a mounted directory, run by
// the mount's own server (which holds the overlay): the overlay's changes against the base,
// landed as a session (created at the mount's base position, its files uploaded with
// PUT …/changes in bodies under the API's 1 MiB, larger files alone as raw bytes with
// PUT …/file, then POST …/land), after which the mount
// stands on the landed position with an empty overlay; a sync moves the base to trunk's head
// and keeps the overlay (its entries are paths: they now apply on the new base).
import { unifiedDiff } from "@micelio/core/unified-diff";
import { request } from "../client.ts";
import { projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import type { MountFs } from "./mount-fs.ts";
import type { Change } from "./overlay.ts";
import type { Resolved } from "./remote.ts";
import { TreeBase } from "./tree-base.ts";

const MAX_BODY = 900 * 1024;
/** Files up to this size go base64 in PUT …/changes batches; larger ones as raw bytes. */
const MAX_JSON_FILE = 512 * 1024;

/** A change as PUT …/changes takes it. */
function wire(c: Change, bytes: Buffer | null) {
  if ("delete" in c) return { path: c.path, delete: true };
  return {
    path: c.path,
    content: (bytes ?? Buffer.alloc(0)).toString("base64"),
    ...(c.mode === "100644" ? {} : { mode: c.mode }),
  };
}

export interface MountState extends Resolved {
  server: string;
  owner: string;
  project: string;
}

export class MountSession {
  constructor(
    readonly fs: MountFs,
    public state: MountState,
    private readonly saveState: (s: MountState) => void,
  ) {}

  private get api() {
    return projectPath(this.state);
  }

  /** Each change with its status against the base. */
  async changes() {
    const list = await this.fs.overlay.changes();
    const base = this.fs.overlay.base;
    return Promise.all(
      list.map(async (c) => {
        const cut = c.path.lastIndexOf("/");
        const listing = await base.list(cut < 0 ? "" : c.path.slice(0, cut)).catch(() => null);
        const inBase = !!listing?.some((e) => e.name === c.path.slice(cut + 1) && e.type !== "tree");
        const status = "delete" in c ? "deleted" : inBase ? "modified" : "added";
        return { path: c.path, status, change: c };
      }),
    );
  }

  async status() {
    const project = await request<{ head_position: number }>(this.fs.remote.conn, "GET", this.api);
    const changes = (await this.changes()).map(({ path, status }) => ({ path, status }));
    return {
      project: `${this.state.owner}/${this.state.project}`,
      server: this.state.server,
      base_position: this.state.position,
      commit: this.state.commit,
      head_position: project.head_position,
      changes,
    };
  }

  /** The change as a unified diff, file by file (as `git diff` prints it). */
  async diff() {
    const out: string[] = [];
    for (const { path, status, change } of await this.changes()) {
      const old = status === "added" ? Buffer.alloc(0) : await this.baseBytes(path);
      const now = "delete" in change ? Buffer.alloc(0) : await this.fs.overlay.contentOf(change);
      out.push(
        unifiedDiff(
          { path: status === "added" ? null : path, content: old },
          { path: "delete" in change ? null : path, content: now },
        ),
      );
    }
    return { patch: out.join("") };
  }

  private async baseBytes(path: string): Promise<Buffer> {
    const cut = path.lastIndexOf("/");
    const e = (await this.fs.overlay.base.list(cut < 0 ? "" : path.slice(0, cut)))?.find(
      (x) => x.name === path.slice(cut + 1),
    );
    return e?.type === "blob" ? await this.fs.remote.blob(e.sha) : Buffer.alloc(0);
  }

  async land(goal: string) {
    const changes = await this.changes();
    if (!changes.length) throw new CliError("nothing to land: the mount has no changes", EXIT.usage);
    const conn = this.fs.remote.conn;
    const session = await request<{ id: string }>(conn, "POST", `${this.api}/sessions`, {
      goal,
      base: this.state.position ?? this.state.head_position,
    });
    const path = `${this.api}/sessions/${encodeURIComponent(session.id)}`;
    let batch: unknown[] = [];
    let size = 0;
    const flush = async () => {
      if (batch.length) await request(conn, "PUT", `${path}/changes`, { changes: batch });
      batch = [];
      size = 0;
    };
    for (const { change } of changes) {
      const bytes = "delete" in change ? null : await this.fs.overlay.contentOf(change);
      if (bytes && !("delete" in change) && bytes.length > MAX_JSON_FILE) {
        // Too large for a JSON body: its raw bytes on their own (PUT …/file, up to 64 MiB).
        const mode = change.mode === "100644" ? "" : `&mode=${change.mode}`;
        const file = `${path}/file?path=${encodeURIComponent(change.path)}${mode}`;
        const raw = { raw: bytes, contentType: "application/octet-stream" };
        await request({ ...conn, timeoutMs: 10 * 60_000 }, "PUT", file, raw);
        continue;
      }
      const item = wire(change, bytes);
      const n = JSON.stringify(item).length;
      if (size + n > MAX_BODY) await flush();
      batch.push(item);
      size += n;
    }
    let landed: { position: number; commit: string };
    try {
      await flush();
      landed = await request({ ...conn, timeoutMs: 60 * 60_000 }, "POST", `${path}/land`);
    } catch (err) {
      // The overlay stays; the next land opens a new session, so this one is given up.
      await request(conn, "POST", `${path}/abandon`).catch(() => {});
      if (err instanceof CliError && err.code === EXIT.conflict)
        throw new CliError(
          `conflict: trunk changed these paths since the mount's base; run mic sync, then mic land (${err.message})`,
          EXIT.conflict,
          err.details,
        );
      throw err;
    }
    await this.moveTo(String(landed.position), false);
    return {
      session: session.id,
      goal,
      position: landed.position,
      commit: landed.commit,
      changes: changes.map(({ path: p, status }) => ({ path: p, status })),
    };
  }

  /** Moves the base to `at` (trunk's head when absent); keeps the overlay when `keep`. */
  async moveTo(at: string | undefined, keep: boolean) {
    const from = this.state.position;
    const r = await this.fs.remote.resolve(at);
    // Files changed since the old position come as deltas from their cached old versions.
    const base = new TreeBase(this.fs.remote, r.tree, this.state.tree);
    if (keep) await this.fs.overlay.reset(base);
    else {
      (this.fs.overlay as { base: unknown }).base = base;
      await this.fs.overlay.reset();
    }
    this.state = { ...this.state, ...r };
    this.saveState(this.state);
    return { from_position: from, position: r.position, commit: r.commit };
  }
}
