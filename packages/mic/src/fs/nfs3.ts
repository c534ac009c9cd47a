// The NFS v3 program (RFC 1813, program 100003) over a mount's overlay: the read side (NULL,
// GETATTR, LOOKUP, ACCESS, READLINK, READ, READDIR, READDIRPLUS, FSSTAT, FSINFO, PATHCONF) here,
// the write side in nfs3-write.ts. Every failure is an NFS status (FsError's errno mapped
// below); a handle the server does not know is NFS3ERR_STALE. Listing a directory with
// READDIRPLUS prefetches its small files' blobs in the background (one batch request).
import { writeFattr, writePostOp } from "./attrs.ts";
import { FsError } from "./fs-error.ts";
import type { MountFs } from "./mount-fs.ts";
import { writeProcs } from "./nfs3-write.ts";
import type { Node } from "./overlay.ts";
import type { Call, Program } from "./rpc.ts";
import { XdrError, type XdrWriter } from "./xdr.ts";

export const NFS_PROGRAM = 100003;
export const NFS3 = {
  OK: 0,
  PERM: 1,
  NOENT: 2,
  IO: 5,
  ACCES: 13,
  EXIST: 17,
  NOTDIR: 20,
  ISDIR: 21,
  INVAL: 22,
  FBIG: 27,
  ROFS: 30,
  NAMETOOLONG: 63,
  NOTEMPTY: 66,
  STALE: 70,
  BADHANDLE: 10001,
  NOTSUPP: 10004,
  SERVERFAULT: 10006,
} as const;

const ERRNO: Record<string, number> = {
  ENOENT: NFS3.NOENT,
  ENOTDIR: NFS3.NOTDIR,
  EISDIR: NFS3.ISDIR,
  EEXIST: NFS3.EXIST,
  ENOTEMPTY: NFS3.NOTEMPTY,
  EINVAL: NFS3.INVAL,
  EACCES: NFS3.ACCES,
  EFBIG: NFS3.FBIG,
  EROFS: NFS3.ROFS,
  ESTALE: NFS3.STALE,
};

/** The NFS status for an error from the filesystem (anything unexpected is an I/O error). */
export function statusOf(err: unknown, onError: (e: unknown) => void): number {
  if (err instanceof XdrError) throw err; // the call's arguments: GARBAGE_ARGS
  if (err instanceof FsError) return ERRNO[err.errno] ?? NFS3.IO;
  onError(err);
  return NFS3.IO;
}

const MAX_READ = 1024 * 1024;

export function nfsProgram(fs: MountFs, onError: (e: unknown) => void = () => {}): Program {
  const fh = (call: Call) => call.args.opaque(64);
  const attr = (w: XdrWriter, node: Node | undefined, path: string | undefined) =>
    writePostOp(w, node, fs.handles.of(path ?? ""), fs.attrs);

  /** Runs `body` on the node a handle names; on failure writes the status and `fail`'s part. */
  async function onNode(
    call: Call,
    out: XdrWriter,
    body: (path: string, node: Node) => Promise<void>,
    fail: (out: XdrWriter) => void = (o) => o.bool(false),
  ) {
    const handle = fh(call);
    try {
      const path = fs.pathOf(handle);
      const node = await fs.overlay.stat(path);
      if (!node) throw new FsError("ESTALE", path);
      await body(path, node);
    } catch (err) {
      out.uint(statusOf(err, onError));
      fail(out);
    }
  }

  const procs: Program["procs"] = {
    0: () => {},
    1: (call, out) =>
      onNode(
        call,
        out,
        async (path, node) => {
          out.uint(NFS3.OK);
          writeFattr(out, node, fs.handles.of(path), fs.attrs);
        },
        () => {},
      ),
    3: async (call, out) => {
      const dirH = fh(call);
      const name = call.args.string(255);
      let dir: string | undefined;
      let dirNode: Node | undefined;
      try {
        dir = fs.pathOf(dirH);
        dirNode = await fs.overlay.stat(dir);
        if (!dirNode) throw new FsError("ESTALE", dir);
        const path = fs.child(dir, name);
        const node = await fs.overlay.stat(path);
        if (!node) throw new FsError("ENOENT", path);
        out.uint(NFS3.OK).opaque(fs.handles.of(path));
        attr(out, node, path);
        attr(out, dirNode, dir);
      } catch (err) {
        out.uint(statusOf(err, onError));
        attr(out, dirNode, dir);
      }
    },
    4: (call, out) =>
      onNode(call, out, async (path, node) => {
        const asked = call.args.uint();
        out.uint(NFS3.OK);
        attr(out, node, path);
        out.uint(asked & 0x3f); // read, lookup, modify, extend, delete, execute: all allowed
      }),
    5: (call, out) =>
      onNode(call, out, async (path, node) => {
        if (node.kind !== "symlink") throw new FsError("EINVAL", path);
        const target = await fs.overlay.read(node, 0, node.size);
        out.uint(NFS3.OK);
        attr(out, node, path);
        out.opaque(target);
      }),
    6: (call, out) =>
      onNode(call, out, async (path, node) => {
        const offset = Number(call.args.hyper());
        const count = Math.min(call.args.uint(), MAX_READ);
        if (node.kind !== "file") throw new FsError(node.kind === "dir" ? "EISDIR" : "EINVAL", path);
        const data = await fs.read(node, offset, count);
        out.uint(NFS3.OK);
        attr(out, node, path);
        out
          .uint(data.length)
          .bool(offset + data.length >= node.size)
          .opaque(data);
      }),
    16: (call, out) => readdir(call, out, false),
    17: (call, out) => readdir(call, out, true),
    18: (call, out) =>
      onNode(call, out, async (path, node) => {
        out.uint(NFS3.OK);
        attr(out, node, path);
        const big = 1n << 40n;
        out
          .hyper(big)
          .hyper(big)
          .hyper(big)
          .hyper(1n << 24n)
          .hyper(1n << 24n)
          .hyper(1n << 24n)
          .uint(0);
      }),
    19: (call, out) =>
      onNode(call, out, async (path, node) => {
        out.uint(NFS3.OK);
        attr(out, node, path);
        out
          .uint(MAX_READ)
          .uint(64 * 1024)
          .uint(4096); // rtmax, rtpref, rtmult
        out
          .uint(MAX_READ)
          .uint(64 * 1024)
          .uint(4096); // wtmax, wtpref, wtmult
        out
          .uint(64 * 1024)
          .hyper(1n << 40n)
          .uint(0)
          .uint(1_000_000); // dtpref, maxfilesize, time_delta
        out.uint(0x0002 | 0x0008 | 0x0010); // FSF3_SYMLINK, FSF3_HOMOGENEOUS, FSF3_CANSETTIME
      }),
    20: (call, out) =>
      onNode(call, out, async (path, node) => {
        out.uint(NFS3.OK);
        attr(out, node, path);
        out.uint(1).uint(255).bool(true).bool(true).bool(false).bool(true);
      }),
    ...writeProcs(fs, onError),
  };

  async function readdir(call: Call, out: XdrWriter, plus: boolean) {
    await onNode(call, out, async (dir, node) => {
      const cookie = Number(call.args.hyper());
      call.args.fixed(8);
      const count = call.args.uint();
      const max = plus ? call.args.uint() : count;
      const entries = [...(await fs.overlay.list(dir))];
      if (plus && cookie === 0) fs.prefetch(entries.map(([, n]) => n));
      out.uint(NFS3.OK);
      attr(out, node, dir);
      out.fixed(Buffer.alloc(8));
      let used = 120;
      let i = cookie;
      for (; i < entries.length; i++) {
        const [name, child] = entries[i]!;
        const path = fs.child(dir, name);
        const handle = fs.handles.of(path);
        used += 24 + name.length + (plus ? 200 : 0);
        if (used > max && i > cookie) break;
        out
          .bool(true)
          .hyper(handle.readBigUInt64BE(4))
          .string(name)
          .hyper(i + 1);
        if (plus) {
          writePostOp(out, child, handle, fs.attrs);
          out.bool(true).opaque(handle);
        }
      }
      out.bool(false).bool(i >= entries.length);
    });
  }

  return { prog: NFS_PROGRAM, vers: 3, procs };
}
