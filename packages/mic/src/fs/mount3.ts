// The MOUNT v3 program (RFC 1813 appendix I, program 100005): a client asks for a directory
// path under the export ("/owner/project", or any directory beneath it, as libnfs asks for a
// file's directory) and gets its file handle; EXPORT lists the one export; DUMP, UMNT and
// UMNTALL keep no client list (nothing to lock: mic serves one user).
import { FsError } from "./fs-error.ts";
import type { MountFs } from "./mount-fs.ts";
import type { Program } from "./rpc.ts";

export const MOUNT_PROGRAM = 100005;
const MNT3ERR_NOENT = 2;
const MNT3ERR_NOTDIR = 20;
const AUTH_NULL = 0;
const AUTH_UNIX = 1;

export function mountProgram(fs: MountFs, exportPath: string): Program {
  return {
    prog: MOUNT_PROGRAM,
    vers: 3,
    procs: {
      0: () => {},
      1: async (call, out) => {
        const asked = call.args.string(1024).replace(/\/+$/, "") || "/";
        const rest =
          asked === exportPath
            ? ""
            : asked.startsWith(`${exportPath}/`)
              ? asked.slice(exportPath.length + 1)
              : null;
        const bad = (s: string) => s === "" || s === "." || s === "..";
        if (rest === null || (rest !== "" && rest.split("/").some(bad))) return void out.uint(MNT3ERR_NOENT);
        try {
          const node = await fs.overlay.stat(rest);
          if (!node) return void out.uint(MNT3ERR_NOENT);
          if (node.kind !== "dir") return void out.uint(MNT3ERR_NOTDIR);
        } catch (err) {
          return void out.uint(
            err instanceof FsError && err.errno === "ENOTDIR" ? MNT3ERR_NOTDIR : MNT3ERR_NOENT,
          );
        }
        out.uint(0).opaque(fs.handles.of(rest)).uint(2).uint(AUTH_UNIX).uint(AUTH_NULL);
      },
      2: (_call, out) => void out.bool(false),
      3: (call) => void call.args.string(1024),
      4: () => {},
      5: (_call, out) => void out.bool(true).string(exportPath).bool(false).bool(false),
    },
  };
}
