// The write side of the NFS v3 program: SETATTR, WRITE, CREATE, MKDIR, SYMLINK, REMOVE, RMDIR,
// RENAME and COMMIT, all into the mount's copy-on-write overlay (the base is never written).
// Writes reach the overlay's files before the reply, so every reply says FILE_SYNC and COMMIT
// has nothing left to do. MKNOD and LINK are not supported (git has no device files or hard
// links).
import { randomBytes } from "node:crypto";
import { writePostOp } from "./attrs.ts";
import { FsError } from "./fs-error.ts";
import type { MountFs } from "./mount-fs.ts";
import { NFS3, statusOf } from "./nfs3.ts";
import type { Node } from "./overlay.ts";
import type { Call, Program } from "./rpc.ts";
import type { XdrReader, XdrWriter } from "./xdr.ts";

const FILE_SYNC = 2;
/** Changes when mic restarts, so a client knows to resend writes it had not committed. */
const VERIFIER = randomBytes(8);

interface Sattr {
  mode?: number;
  size?: number;
}

function readSattr(r: XdrReader): Sattr {
  const s: Sattr = {};
  if (r.bool()) s.mode = r.uint();
  if (r.bool()) r.uint(); // uid: files belong to the user running mic
  if (r.bool()) r.uint(); // gid
  if (r.bool()) s.size = Number(r.hyper());
  for (let i = 0; i < 2; i++) if (r.uint() === 2) r.fixed(8); // atime, mtime: SET_TO_CLIENT_TIME
  return s;
}

export function writeProcs(fs: MountFs, onError: (e: unknown) => void): Program["procs"] {
  const wcc = async (out: XdrWriter, path: string | undefined) => {
    out.bool(false); // no pre-operation attributes
    let node: Node | undefined;
    try {
      node = path === undefined ? undefined : await fs.overlay.stat(path);
    } catch {
      node = undefined;
    }
    writePostOp(out, node, fs.handles.of(path ?? ""), fs.attrs);
  };
  const dirAndName = (call: Call) => {
    const dir = fs.pathOf(call.args.opaque(64));
    return { dir, path: fs.child(dir, call.args.string(255)) };
  };
  /** CREATE/MKDIR/SYMLINK's answer: the new handle and attributes, then the directory's wcc. */
  const created = async (out: XdrWriter, dir: string, path: string) => {
    const node = await fs.overlay.stat(path);
    out.uint(NFS3.OK).bool(true).opaque(fs.handles.of(path));
    writePostOp(out, node, fs.handles.of(path), fs.attrs);
    await wcc(out, dir);
  };
  const failed = async (out: XdrWriter, err: unknown, ...paths: (string | undefined)[]) => {
    out.uint(statusOf(err, onError));
    for (const p of paths) await wcc(out, p);
  };

  return {
    2: async (call, out) => {
      let path: string | undefined;
      try {
        path = fs.pathOf(call.args.opaque(64));
        const s = readSattr(call.args);
        if (call.args.bool()) call.args.fixed(8); // guard: ctime check not kept
        const node = await fs.overlay.stat(path);
        if (!node) throw new FsError("ESTALE", path);
        if (s.size !== undefined) await fs.overlay.truncate(path, s.size);
        if (s.mode !== undefined) await fs.overlay.chmod(path, (s.mode & 0o111) !== 0);
        out.uint(NFS3.OK);
        await wcc(out, path);
      } catch (err) {
        await failed(out, err, path);
      }
    },
    7: async (call, out) => {
      let path: string | undefined;
      try {
        path = fs.pathOf(call.args.opaque(64));
        const offset = Number(call.args.hyper());
        call.args.uint(); // count: the data's own length counts
        call.args.uint(); // stable: always written through
        const data = call.args.opaque(4 * 1024 * 1024);
        await fs.overlay.write(path, offset, data);
        out.uint(NFS3.OK);
        await wcc(out, path);
        out.uint(data.length).uint(FILE_SYNC).fixed(VERIFIER);
      } catch (err) {
        await failed(out, err, path);
      }
    },
    8: async (call, out) => {
      let dir: string | undefined;
      try {
        const where = dirAndName(call);
        dir = where.dir;
        const how = call.args.uint();
        let attrs: Sattr = {};
        if (how === 2)
          call.args.fixed(8); // EXCLUSIVE: a verifier, no attributes
        else attrs = readSattr(call.args);
        const mode = attrs.mode !== undefined && attrs.mode & 0o111 ? "100755" : "100644";
        await fs.overlay.create(where.path, mode, how !== 0);
        if (attrs.size === 0) await fs.overlay.truncate(where.path, 0);
        await created(out, dir, where.path);
      } catch (err) {
        await failed(out, err, dir);
      }
    },
    9: async (call, out) => {
      let dir: string | undefined;
      try {
        const where = dirAndName(call);
        dir = where.dir;
        readSattr(call.args);
        await fs.overlay.mkdir(where.path);
        await created(out, dir, where.path);
      } catch (err) {
        await failed(out, err, dir);
      }
    },
    10: async (call, out) => {
      let dir: string | undefined;
      try {
        const where = dirAndName(call);
        dir = where.dir;
        readSattr(call.args);
        await fs.overlay.symlink(where.path, call.args.string(4096));
        await created(out, dir, where.path);
      } catch (err) {
        await failed(out, err, dir);
      }
    },
    11: async (_call, out) => {
      out.uint(NFS3.NOTSUPP);
      await wcc(out, undefined);
    },
    12: (call, out) => remove(call, out, false),
    13: (call, out) => remove(call, out, true),
    14: async (call, out) => {
      let fromDir: string | undefined;
      let toDir: string | undefined;
      try {
        const from = dirAndName(call);
        fromDir = from.dir;
        const to = dirAndName(call);
        toDir = to.dir;
        await fs.overlay.rename(from.path, to.path);
        out.uint(NFS3.OK);
        await wcc(out, fromDir);
        await wcc(out, toDir);
      } catch (err) {
        await failed(out, err, fromDir, toDir);
      }
    },
    15: async (_call, out) => {
      out.uint(NFS3.NOTSUPP).bool(false);
      await wcc(out, undefined);
    },
    21: async (call, out) => {
      let path: string | undefined;
      try {
        path = fs.pathOf(call.args.opaque(64));
        out.uint(NFS3.OK);
        await wcc(out, path);
        out.fixed(VERIFIER);
      } catch (err) {
        await failed(out, err, path);
      }
    },
  };

  async function remove(call: Call, out: XdrWriter, dirOnly: boolean) {
    let dir: string | undefined;
    try {
      const where = dirAndName(call);
      dir = where.dir;
      await fs.overlay.remove(where.path, dirOnly);
      out.uint(NFS3.OK);
      await wcc(out, dir);
    } catch (err) {
      await failed(out, err, dir);
    }
  }
}
