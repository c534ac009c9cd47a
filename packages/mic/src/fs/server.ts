// mic-fs: serves one project at a position as an NFS v3 export over TCP on loopback (no root
// needed: the ports are the caller's choice or picked by the system). The NFS, MOUNT and
// control programs answer on both ports. State (overlay, handle journal, mount.json) lives in
// $MIC_CACHE_DIR/mounts/<key>/, the content cache in $MIC_CACHE_DIR/objects/ (shared).
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo, Server } from "node:net";
import { join } from "node:path";
import type { Connection } from "../context.ts";
import { ContentCache, cacheDir } from "./cache.ts";
import { controlProgram } from "./control.ts";
import { Handles } from "./handles.ts";
import { MountFs } from "./mount-fs.ts";
import { MountSession, type MountState } from "./mount-session.ts";
import { mountProgram } from "./mount3.ts";
import { nfsProgram } from "./nfs3.ts";
import { Overlay } from "./overlay.ts";
import { Remote } from "./remote.ts";
import { rpcServer } from "./rpc.ts";
import { TreeBase } from "./tree-base.ts";

export interface MicFsOptions {
  conn: Connection;
  project: { owner: string; project: string };
  at?: string;
  /** The mounted directory (its state is kept by it), or none for a server only. */
  path?: string;
  nfsPort?: number;
  mountPort?: number;
  onError?: (e: unknown) => void;
}

export interface MountRecord extends MountState {
  pid: number;
  path: string | null;
  nfs_port: number;
  mount_port: number;
  export: string;
  url: string;
  /** What control requests must carry (control.ts). */
  secret: string;
}

export const mountsDir = () => join(cacheDir(), "mounts");
export const stateKey = (server: string, project: string, path: string | undefined) =>
  createHash("sha256")
    .update(`${server}\0${project}\0${path ?? ""}`)
    .digest("hex")
    .slice(0, 16);

const listen = (server: Server, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });

export async function startMicFs(opts: MicFsOptions) {
  const name = `${opts.project.owner}/${opts.project.project}`;
  const dir = join(mountsDir(), stateKey(opts.conn.server, name, opts.path));
  mkdirSync(dir, { recursive: true });
  const cache = new ContentCache();
  const remote = new Remote(opts.conn, opts.project, cache);
  const recordFile = join(dir, "mount.json");
  const saved = existsSync(recordFile) ? (JSON.parse(readFileSync(recordFile, "utf8")) as MountRecord) : null;
  // A restart keeps its position and overlay unless another position is asked for.
  const resolved = saved && !opts.at ? saved : await remote.resolve(opts.at);
  if (saved && opts.at) rmSync(join(dir, "overlay"), { recursive: true, force: true });
  const overlay = new Overlay(new TreeBase(remote, resolved.tree), join(dir, "overlay"));
  const handles = new Handles(name, join(dir, "handles"));
  const attrs = {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    baseTime: Math.floor(Date.now() / 1000),
  };
  const fs = new MountFs(overlay, handles, remote, attrs, opts.onError);
  const exportPath = `/${name}`;
  let record: MountRecord;
  const save = (s: MountState) => {
    record = { ...record, ...s };
    writeFileSync(recordFile, JSON.stringify(record, null, 2), { mode: 0o600 });
  };
  const state: MountState = {
    server: opts.conn.server,
    owner: opts.project.owner,
    project: opts.project.project,
    commit: resolved.commit,
    tree: resolved.tree,
    position: resolved.position,
    head_position: resolved.head_position,
  };
  const session = new MountSession(fs, state, save);
  const servers: ReturnType<typeof rpcServer>[] = [];
  const close = async () => {
    overlay.save();
    const closing = servers.map((s) => new Promise((r) => s.close(r)));
    for (const s of servers) s.dropAll();
    await Promise.all(closing);
    if (record) writeFileSync(recordFile, JSON.stringify({ ...record, pid: 0 }, null, 2));
  };
  const secret = randomBytes(24).toString("hex");
  const programs = [
    nfsProgram(fs, opts.onError),
    mountProgram(fs, exportPath),
    controlProgram(session, secret, close),
  ];
  // NFS callers must present this user's uid (or root's: the kernel client's own calls). Not
  // a boundary against a local user forging AUTH_UNIX, which NFS v3 cannot tell apart.
  const allowed = (uid: number | undefined) => uid === undefined || uid === attrs.uid || uid === 0;
  servers.push(rpcServer(programs, opts.onError, allowed), rpcServer(programs, opts.onError, allowed));
  const nfsPort = await listen(servers[0]!, opts.nfsPort ?? 0);
  const mountPort = await listen(servers[1]!, opts.mountPort ?? 0);
  const url = `nfs://127.0.0.1${exportPath}?nfsport=${nfsPort}&mountport=${mountPort}&version=3`;
  record = {
    ...state,
    secret,
    pid: process.pid,
    path: opts.path ?? null,
    nfs_port: nfsPort,
    mount_port: mountPort,
    export: exportPath,
    url,
  };
  save(state);
  return {
    nfsPort,
    mountPort,
    exportPath,
    url,
    fs,
    session,
    remote,
    cache,
    stateDir: dir,
    close,
    closed: () => Promise.all(servers.map((s) => new Promise((r) => s.once("close", r)))),
  };
}
export type MicFs = Awaited<ReturnType<typeof startMicFs>>;
