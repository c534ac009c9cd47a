// Benchmark: what compression and deltas save mic-fs. A repository of FILES files (200
// directories × 100, 200–2,000 bytes each) at a first commit, then a landing that edits EDITS
// of them by one line. Per configuration — before (no compression, whole blobs), compression
// only (br), compression and deltas — with an empty content cache: `nfs-ls -R` of the first
// commit (its READDIRPLUS prefetches every small file; time until all are cached), then a
// sync to the second commit and `nfs-ls -R` again, until the EDITS new blobs are cached.
// Bytes are what crossed the network (compressed bodies as sent).
// Run: npx tsx bench/micfs-deltas.ts [files] [edits] [runs]
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startMicFs } from "../packages/mic/src/fs/server.ts";
import { benchProject, git, median, startForgeProcess, time } from "./lib.ts";

const FILES = Number(process.argv[2] ?? 20_000);
const EDITS = Number(process.argv[3] ?? 1_000);
const RUNS = Number(process.argv[4] ?? 3);
const PER_DIR = 100;
const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "micelio-bench-deltas-"));
const blobId = (b: string) =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(b)}\0`)
    .update(b)
    .digest("hex");

/** Two commits through git fast-import: FILES files, then EDITS of them with one line changed. */
async function makeRepo(dir: string) {
  await git(work, "init", "-q", "-b", "main", dir);
  const first: string[] = [];
  const second: string[] = [];
  const parts = ["commit refs/heads/main\ncommitter Bench <b@example.test> 1700000000 +0000\ndata 5\nwide\n"];
  let seed = 1;
  const edit: string[] = [];
  for (let i = 0; i < FILES; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const line = `const v${i} = ${seed}; // file ${i} of the wide benchmark repository\n`;
    const lines = Array.from({ length: 3 + (seed % 27) }, (_, k) => line.replace(`v${i}`, `v${i}_${k}`));
    const body = lines.join("");
    const path = `d${String(Math.floor(i / PER_DIR)).padStart(3, "0")}/f${String(i % PER_DIR).padStart(3, "0")}.ts`;
    first.push(blobId(body));
    parts.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(body)}\n${body}\n`);
    if (i % Math.floor(FILES / EDITS) === 0 && second.length < EDITS) {
      lines[Math.floor(lines.length / 2)] = `export const edited${i} = true; // one line changed\n`;
      const now = lines.join("");
      second.push(blobId(now));
      edit.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(now)}\n${now}\n`);
    }
  }
  parts.push(
    "commit refs/heads/main\ncommitter Bench <b@example.test> 1700000100 +0000\ndata 5\nedit\n",
    ...edit,
  );
  await new Promise<void>((ok, fail) => {
    const p = spawn("git", ["fast-import", "--quiet"], { cwd: dir, stdio: ["pipe", "ignore", "inherit"] });
    p.on("exit", (c) => (c === 0 ? ok() : fail(new Error(`fast-import ${c}`))));
    p.stdin.end(parts.join(""));
  });
  await git(dir, "repack", "-a", "-d", "-q");
  return { first, second };
}

const until = async (what: string, ok: () => boolean) => {
  for (const t = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 20)))
    if (Date.now() - t > 300_000) throw new Error(`timed out waiting for ${what}`);
};

let forgeChild: { kill(): void } | undefined;
try {
  const repo = join(work, "wide");
  console.log(`building a repository with ${FILES} files and a landing that edits ${EDITS}…`);
  const ids = await makeRepo(repo);
  const start = (await git(repo, "rev-parse", "main~1")).trim();
  const forge = await startForgeProcess(join(work, "forge"));
  forgeChild = forge.child;
  await benchProject(forge.url, "wide");
  const remote = `${forge.url.replace("http://", "http://bench:bench-password@")}/bench/wide.git`;
  await git(repo, "push", "-q", remote, "main");
  await new Promise((r) => setTimeout(r, 10_000)); // the post-push repack job

  const configs = [
    { name: "before: identity, whole blobs", encoding: "identity", deltas: "0" },
    { name: "compression (br)", encoding: "br, gzip", deltas: "0" },
    { name: "compression and deltas", encoding: "br, gzip", deltas: "1" },
  ];
  const rows: Record<string, { ms: number[]; bytes: number[]; deltas: string[] }> = {};
  const note = (k: string, ms: number, bytes: number, deltas = "0 / 0") => {
    rows[k] ??= { ms: [], bytes: [], deltas: [] };
    rows[k].ms.push(ms);
    rows[k].bytes.push(bytes);
    rows[k].deltas.push(deltas);
  };
  const load: number[] = [];
  for (let run = 0; run < RUNS; run++)
    for (const c of configs) {
      process.env.MIC_CACHE_DIR = join(work, `cache-${run}-${c.deltas}-${c.encoding.length}`);
      process.env.MIC_FS_ENCODING = c.encoding;
      process.env.MIC_FS_DELTAS = c.deltas;
      load.push(loadavg()[0]!);
      const serve = () =>
        startMicFs({ conn: { server: forge.url }, project: { owner: "bench", project: "wide" }, at: start });
      // Let the sockets the forge closed while rmSync held the loop be seen as closed, and
      // retry a request still sent on one (ECONNRESET) after a moment.
      await new Promise((r) => setTimeout(r, 500));
      const fs = await serve().catch(async () => {
        await new Promise((r) => setTimeout(r, 1000));
        return serve();
      });
      console.log(`run ${run + 1}: ${c.name}`);
      const ls = () => exec("nfs-ls", ["-R", fs.url], { maxBuffer: 256 << 20 });
      const cold = await time(async () => {
        await ls();
        await until("the first commit's blobs", () => ids.first.every((id) => fs.cache.has(id)));
      });
      note(`${c.name}: cold \`nfs-ls -R\`, all blobs prefetched`, cold, fs.remote.received);
      const before = fs.remote.received;
      const sync = await time(async () => {
        await fs.session.moveTo(undefined, true);
        await ls();
        await until("the edited blobs", () => ids.second.every((id) => fs.cache.has(id)));
      });
      note(
        `${c.name}: sync, \`nfs-ls -R\`, ${EDITS} edited blobs fetched`,
        sync,
        fs.remote.received - before,
        `${fs.remote.deltas} / ${fs.remote.treeDeltas}`,
      );
      await fs.close();
      rmSync(process.env.MIC_CACHE_DIR, { recursive: true, force: true });
    }
  console.log(
    `\n${FILES} files, ${EDITS} edited; min / median / max of ${RUNS} runs; load average ${load.map((l) => l.toFixed(1)).join(", ")}\n`,
  );
  console.log("| what | time (ms) | bytes from the forge | as deltas: blobs / listings |");
  console.log("|---|---:|---:|---:|");
  const mmm = (xs: number[], f = (n: number) => Math.round(n).toLocaleString("en")) =>
    `${f(Math.min(...xs))} / ${f(median(xs))} / ${f(Math.max(...xs))}`;
  for (const [k, v] of Object.entries(rows))
    console.log(`| ${k} | ${mmm(v.ms)} | ${mmm(v.bytes)} | ${v.deltas.at(-1)} |`);
} finally {
  forgeChild?.kill();
  rmSync(work, { recursive: true, force: true });
}
