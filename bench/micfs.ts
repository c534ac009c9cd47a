// Benchmark: mic-fs (mic mount's NFS server) against a full `git clone` on a generated
// repository of 20,000 files (200 directories × 100 files, 200–2,000 bytes each): time to the
// first read of one file (server start, position resolved, MOUNT, LOOKUPs, READ) and to
// `nfs-ls -R` of the whole tree (READDIRPLUS everywhere, which also prefetches every small
// file), each with an empty content cache, and again after a restart on the warm cache; bytes
// received from the forge (HTTP bodies) against the clone's pack. libnfs's nfs-cat and nfs-ls
// are the clients (no kernel mount needed).
// Run: npx tsx bench/micfs.ts [files] [runs]
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startMicFs } from "../packages/mic/src/fs/server.ts";
import { benchProject, git, median, startForgeProcess, time } from "./lib.ts";

const FILES = Number(process.argv[2] ?? 20_000);
const RUNS = Number(process.argv[3] ?? 3);
const PER_DIR = 100;
const execP = promisify(execFile);
/** Runs a client; on failure, says the end of what it printed (libnfs says errors on stdout). */
const exec = async (cmd: string, args: string[], o: { maxBuffer: number }) => {
  try {
    return await execP(cmd, args, o);
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? "");
    throw new Error(`${cmd} ${args.join(" ")} failed: …${out.slice(-400)}`);
  }
};
const work = mkdtempSync(join(tmpdir(), "micelio-bench-micfs-"));

/** One commit of FILES files through git fast-import (seconds, not minutes). */
async function makeWideRepo(dir: string) {
  await git(work, "init", "-q", "-b", "main", dir);
  const parts: Buffer[] = [
    Buffer.from("commit refs/heads/main\ncommitter Bench <b@example.test> 1700000000 +0000\ndata 5\nwide\n"),
  ];
  let seed = 1;
  for (let i = 0; i < FILES; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const line = `const v${i} = ${seed}; // file ${i} of the wide benchmark repository\n`;
    const body = line.repeat(3 + (seed % 27));
    const path = `d${String(Math.floor(i / PER_DIR)).padStart(3, "0")}/f${String(i % PER_DIR).padStart(3, "0")}.ts`;
    parts.push(Buffer.from(`M 100644 inline ${path}\ndata ${Buffer.byteLength(body)}\n${body}\n`));
  }
  await new Promise<void>((ok, fail) => {
    const p = spawn("git", ["fast-import", "--quiet"], { cwd: dir, stdio: ["pipe", "ignore", "inherit"] });
    p.on("exit", (c) => (c === 0 ? ok() : fail(new Error(`fast-import ${c}`))));
    p.stdin.end(Buffer.concat(parts));
  });
  await git(dir, "repack", "-a", "-d", "-q");
}

const dirBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );

try {
  const repo = join(work, "wide");
  console.log(`building a repository with ${FILES} files…`);
  await makeWideRepo(repo);
  const forge = await startForgeProcess(join(work, "forge"));
  await benchProject(forge.url, "wide");
  await git(
    repo,
    "push",
    "-q",
    `${forge.url.replace("http://", "http://bench:bench-password@")}/bench/wide.git`,
    "main",
  );
  await new Promise((r) => setTimeout(r, 10_000)); // the post-push repack job

  const target = `d${String(Math.floor(FILES / PER_DIR / 2)).padStart(3, "0")}/f042.ts`;
  const rows: Record<string, { ms: number[]; bytes: number[] }> = {};
  const note = (k: string, ms: number, bytes: number) => {
    rows[k] ??= { ms: [], bytes: [] };
    rows[k].ms.push(ms);
    rows[k].bytes.push(bytes);
  };
  const serve = () =>
    startMicFs({ conn: { server: forge.url }, project: { owner: "bench", project: "wide" } });
  for (let run = 0; run < RUNS; run++) {
    process.env.MIC_CACHE_DIR = join(work, `cache-${run}`);
    // First read, cold: start the server (resolve the position) and cat one file.
    let fs: Awaited<ReturnType<typeof serve>> | undefined;
    const first = await time(async () => {
      fs = await serve();
      await exec("nfs-cat", [fs.url.replace("?", `/${target}?`)], { maxBuffer: 1 << 20 });
    });
    note("mic-fs: first read of one file (cold cache)", first, fs!.remote.received);
    await fs!.close();
    // ls -R, cold: a fresh cache.
    process.env.MIC_CACHE_DIR = join(work, `cache-ls-${run}`);
    fs = await serve();
    const before = fs.remote.received;
    const ls = await time(() => exec("nfs-ls", ["-R", fs!.url], { maxBuffer: 256 << 20 }));
    note("mic-fs: `nfs-ls -R` (cold cache)", ls, fs.remote.received - before);
    await new Promise((r) => setTimeout(r, 3000)); // prefetches still in flight
    note("mic-fs: bytes incl. prefetched small files", 0, fs.remote.received);
    await fs.close();
    // The same after a restart of mic: trees and blobs come from the shared cache.
    fs = await serve();
    const warm = await time(() => exec("nfs-ls", ["-R", fs!.url], { maxBuffer: 256 << 20 }));
    note("mic-fs: `nfs-ls -R` after a restart (warm cache)", warm, fs.remote.received);
    await fs.close();
    // A full clone.
    const dest = join(work, `clone-${run}`);
    const clone = await time(() => git(work, "clone", "-q", `${forge.url}/bench/wide.git`, dest));
    note("git clone (full, with checkout)", clone, dirBytes(join(dest, ".git", "objects")));
    rmSync(dest, { recursive: true, force: true });
  }
  console.log(`\n${FILES} files, median of ${RUNS} runs\n`);
  console.log("| what | time (ms) | bytes from the forge |");
  console.log("|---|---:|---:|");
  for (const [k, v] of Object.entries(rows))
    console.log(
      `| ${k} | ${k.startsWith("mic-fs: bytes") ? "—" : Math.round(median(v.ms))} | ${Math.round(median(v.bytes)).toLocaleString("en")} |`,
    );
  forge.child.kill();
} finally {
  rmSync(work, { recursive: true, force: true });
}
