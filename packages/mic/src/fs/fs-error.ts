// A filesystem error with its errno name; nfs3.ts maps each to its NFS3ERR_ status.
export type Errno =
  | "ENOENT"
  | "ENOTDIR"
  | "EISDIR"
  | "EEXIST"
  | "ENOTEMPTY"
  | "EINVAL"
  | "EACCES"
  | "EIO"
  | "EFBIG"
  | "EROFS"
  | "ESTALE";

export class FsError extends Error {
  constructor(
    readonly errno: Errno,
    readonly path: string,
  ) {
    super(`${errno}: ${path}`);
  }
}
