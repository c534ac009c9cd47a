// bwrap's argument array for one step: a new user, PID, IPC, UTS, cgroup and (unless allowed)
// network namespace; the toolchain read-only; only the run's work directory writable.
import { lstat, readlink } from "node:fs/promises";
import { SANDBOX_UID } from "./workspace.ts";

/** How the host's top-level toolchain directories look: real directories or links into /usr. */
export type RootEntry = { path: string; link: string } | { path: string; dir: true };

/** The parts of /etc programs need (dynamic linker, certificates, time zone, name lookup). */
export const ETC_ENTRIES = [
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "alternatives",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "localtime",
  "timezone",
  "nsswitch.conf",
  "hosts",
  "os-release",
  "debian_version",
  "mime.types",
  "protocols",
  "services",
];

/** /usr and the top-level names that are (or point into) the toolchain; never /work, /root, /home… */
export async function hostRootEntries(): Promise<RootEntry[]> {
  const out: RootEntry[] = [{ path: "/usr", dir: true }];
  for (const path of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    const st = await lstat(path).catch(() => null);
    if (!st) continue;
    if (st.isSymbolicLink()) out.push({ path, link: await readlink(path) });
    else if (st.isDirectory()) out.push({ path, dir: true });
  }
  return out;
}

export interface BwrapStepOptions {
  roots: RootEntry[];
  /** Host paths of the run's work directory and its generated passwd and group files. */
  work: string;
  passwd: string;
  group: string;
  allowNetwork: boolean;
  /** Size cap of the step's private /tmp. */
  tmpBytes: number;
  /** Descriptor of a compiled seccomp filter passed to bwrap, when one is used. */
  seccompFd?: number;
  env: Record<string, string>;
  run: string;
}

export const BASE_ENV: Record<string, string> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/workspace",
  USER: "sandbox",
  LANG: "C.UTF-8",
  TMPDIR: "/tmp",
  CI: "true",
};

export function bwrapArgs(o: BwrapStepOptions): string[] {
  const a: string[] = ["--unshare-all", "--unshare-user"];
  if (o.allowNetwork) a.push("--share-net");
  a.push(
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_UID),
    "--disable-userns",
    "--hostname",
    "sandbox",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
  );
  for (const r of o.roots) {
    if ("link" in r) a.push("--symlink", r.link, r.path);
    else a.push("--ro-bind", r.path, r.path);
  }
  for (const name of ETC_ENTRIES) a.push("--ro-bind-try", `/etc/${name}`, `/etc/${name}`);
  if (o.allowNetwork) a.push("--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf");
  a.push("--ro-bind", o.passwd, "/etc/passwd", "--ro-bind", o.group, "/etc/group");
  a.push("--proc", "/proc", "--dev", "/dev");
  a.push("--size", String(Math.max(1 << 20, Math.floor(o.tmpBytes))), "--tmpfs", "/tmp");
  a.push("--bind", o.work, "/workspace", "--chdir", "/workspace");
  if (o.seccompFd !== undefined) a.push("--seccomp", String(o.seccompFd));
  a.push("--clearenv");
  for (const [k, v] of Object.entries({ ...BASE_ENV, ...o.env })) a.push("--setenv", k, v);
  a.push("--", "/bin/sh", "-c", o.run);
  return a;
}
