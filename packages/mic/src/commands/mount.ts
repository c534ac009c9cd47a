// `mic mount [PATH] --project O/P [--at POSITION]`: serves the project at a position as an NFS
// v3 filesystem (mic-fs, src/fs/) and mounts it at PATH with the kernel's client where the
// machine allows (`mount -t nfs -o vers=3,tcp,port=…,mountport=…,nolock,soft`, needs root);
// otherwise the server keeps running and mic prints the export for a client to use.
// `--no-kernel-mount` runs only the server, in the foreground, and prints the libnfs URL.
// `mic unmount PATH` flushes the overlay, stops the server and unmounts. The mount is `soft`,
// so a crashed server makes calls fail instead of hanging, and the next `mic mount` or
// `mic unmount` of the path lazily unmounts what a crash left behind.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { connection, parseProject } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { control } from "../fs/control.ts";
import { alive, mountRecords } from "../fs/mounts.ts";
import { startMicFs } from "../fs/server.ts";
import { print } from "../output.ts";

interface MountOpts {
  project: string;
  at?: string;
  nfsPort?: string;
  mountPort?: string;
  kernelMount: boolean;
}

const port = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`${name} must be a port number`, EXIT.usage);
  return n;
};

/** Lets go of a kernel mount left by a server that is gone (lazy: never blocks). */
function releaseStale(path: string) {
  for (const r of mountRecords()) {
    if (r.path !== path || alive(r.pid)) continue;
    spawnSync("umount", ["-l", path], { stdio: "ignore" });
    writeFileSync(r.file, JSON.stringify({ ...r, file: undefined, pid: 0 }, null, 2));
  }
}

export function registerMount(program: Command) {
  program
    .command("mount")
    .description(
      "serve a project at a position as an NFS v3 filesystem and mount it (lazy reads, local overlay)",
    )
    .argument("[path]", "where to mount it (and the directory mic status/diff/land/sync work in)")
    .requiredOption("--project <owner/project>", "the project to mount")
    .option("--at <position>", "a trunk position, branch, tag or commit (default: trunk's head)")
    .option("--nfs-port <n>", "the NFS port (default: any free one)")
    .option("--mount-port <n>", "the MOUNT port (default: any free one)")
    .option("--no-kernel-mount", "run only the server, in the foreground, and print the export's libnfs URL")
    .action(async (path: string | undefined, opts: MountOpts) => {
      const project = parseProject(opts.project);
      const conn = connection(program);
      const nfsPort = port(opts.nfsPort, "--nfs-port");
      const mountPort = port(opts.mountPort, "--mount-port");
      const dir = path ? resolve(path) : undefined;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        releaseStale(dir);
      }
      if (!opts.kernelMount) {
        const fs = await startMicFs({ conn, project, at: opts.at, path: dir, nfsPort, mountPort });
        const doc = {
          url: fs.url,
          export: fs.exportPath,
          nfs_port: fs.nfsPort,
          mount_port: fs.mountPort,
          position: fs.session.state.position,
          commit: fs.session.state.commit,
          path: dir ?? null,
        };
        print(program, doc, `Serving ${opts.project} at position ${doc.position ?? "?"}: ${fs.url}`);
        const stop = () => void fs.close().then(() => process.exit(EXIT.ok));
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        await fs.closed();
        return;
      }
      if (!dir)
        throw new CliError(
          "give a PATH to mount at, or --no-kernel-mount to run only the server",
          EXIT.usage,
        );
      await background(program, dir, opts, project);
    });

  async function background(
    program: Command,
    dir: string,
    opts: MountOpts,
    project: { owner: string; project: string },
  ) {
    const args = [
      process.argv[1]!,
      "--json",
      ...serverArgs(program),
      "mount",
      dir,
      "--project",
      `${project.owner}/${project.project}`,
      "--no-kernel-mount",
    ];
    if (opts.at) args.push("--at", opts.at);
    if (opts.nfsPort) args.push("--nfs-port", opts.nfsPort);
    if (opts.mountPort) args.push("--mount-port", opts.mountPort);
    const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const started = await new Promise<Record<string, unknown>>((ok, fail) => {
      let out = "";
      let err = "";
      child.stdout!.on("data", (d) => {
        out += d;
        try {
          ok(JSON.parse(out));
        } catch {
          /* not all of it yet */
        }
      });
      child.stderr!.on("data", (d) => (err += d));
      child.on("exit", (code) =>
        fail(
          new CliError(
            err.trim().replace(/^mic: /, "") || "the mount's server stopped",
            code ?? EXIT.unreachable,
          ),
        ),
      );
    });
    child.stdout!.destroy();
    child.stderr!.destroy();
    child.unref();
    const options = `vers=3,tcp,port=${started.nfs_port},mountport=${started.mount_port},nolock,soft,timeo=50,retrans=2`;
    const mount = spawnSync("mount", ["-t", "nfs", "-o", options, `127.0.0.1:${started.export}`, dir], {
      encoding: "utf8",
    });
    const mounted = mount.status === 0;
    const why = mounted ? null : (mount.stderr || mount.error?.message || "mount failed").trim();
    const doc = { ...started, kernel_mount: mounted, kernel_mount_error: why, pid: child.pid };
    print(
      program,
      doc,
      mounted
        ? `Mounted ${opts.project} at ${dir} (position ${started.position}); mic unmount ${dir} when done`
        : `The kernel mount is not permitted here (${why}); the server runs (pid ${child.pid}) — use the export: ${started.url}`,
    );
  }

  program
    .command("unmount")
    .description("flush a mount's overlay, stop its server and unmount it")
    .argument("<path>", "the mounted directory")
    .action(async (path: string) => {
      const dir = resolve(path);
      const record = mountRecords().find((r) => r.path === dir);
      if (!record) throw new CliError(`no mic mount at ${dir}`, EXIT.notFound);
      const running = alive(record.pid);
      const mounted =
        existsSync("/proc/mounts") && spawnSync("grep", ["-qF", ` ${dir} nfs`, "/proc/mounts"]).status === 0;
      if (mounted) {
        const u = spawnSync("umount", [dir], { encoding: "utf8" });
        if (u.status !== 0) spawnSync("umount", ["-l", dir], { stdio: "ignore" });
      }
      if (running) await control(record, { op: "stop" }, 30_000);
      print(
        program,
        { path: dir, stopped: running, unmounted: mounted },
        `Unmounted ${dir}${running ? "" : " (its server was not running)"}`,
      );
    });
}

/** --server, passed on to the background server. */
const serverArgs = (program: Command) => {
  const s = program.opts().server as string | undefined;
  return s ? ["--server", s] : [];
};
