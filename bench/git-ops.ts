// Benchmark: the git operations of a landing, one at a time, by three means: (a) a git
// process per operation (what the forge did), (b) the git layer's long-lived processes
// (`cat-file --batch`, `mktree -z --batch`, `hash-object -w --stdin-paths`,
// `update-ref --stdin`) and its in-process loose-object writes, (c) libraries in process:
// isomorphic-git and es-git (reads only: es-git 0.7.0 has no object writes or ref CAS).
// The repository is a bare clone of this project's own history. BENCH_BALLAST_MIB makes the
// Node process hold that much touched memory first (spawn() cost grows with RSS).
// Libraries are not dependencies of the forge; install them aside and point to them:
//   npm install --prefix /tmp/gitops-libs es-git@0.7.0 isomorphic-git@1.44.11
//   GITOPS_LIBS=/tmp/gitops-libs/node_modules npx tsx bench/git-ops.ts [iterations=200]
//   BENCH_BALLAST_MIB=500 GITOPS_LIBS=… npx tsx bench/git-ops.ts
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gitText } from "../packages/forge/src/repos/git.ts";
import { GitProcess } from "../packages/forge/src/repos/git-layer/git-process.ts";
import { GitRepo, ZERO_OID } from "../packages/forge/src/repos/git-layer/git-repo.ts";
import { formatCommit, formatTree, parseTree } from "../packages/forge/src/repos/git-layer/objects.ts";

const N = Number(process.argv[2] ?? 200);
const ballastMib = Number(process.env.BENCH_BALLAST_MIB ?? 0);
const ballast = new Uint8Array(ballastMib * 1024 * 1024);
for (let i = 0; i < ballast.length; i += 4096) ballast[i] = 1;

const work = fs.mkdtempSync(join(tmpdir(), "micelio-bench-gitops-"));
const dir = join(work, "repo.git");
execFileSync("git", ["clone", "--quiet", "--bare", "--no-local", join(import.meta.dirname, ".."), dir]);
const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir }).toString().trim();
const treeOid = execFileSync("git", ["rev-parse", "HEAD^{tree}"], { cwd: dir }).toString().trim();
const blobOid = execFileSync("git", ["rev-parse", "HEAD:README.md"], { cwd: dir }).toString().trim();
const entries = parseTree(execFileSync("git", ["cat-file", "tree", treeOid], { cwd: dir }));
const REF = "refs/heads/bench";
execFileSync("git", ["update-ref", REF, head], { cwd: dir });

type Op = (i: number) => Promise<unknown>;
const results: Array<Record<string, unknown>> = [];
async function measure(means: string, op: string, fn: Op, n = N) {
  for (let i = 0; i < 3; i++) await fn(-1 - i);
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(i);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  const r = (x: number) => Number(x.toFixed(3));
  results.push({ means, op, n, min_ms: r(t[0]), median_ms: r(t[t.length >> 1]), max_ms: r(t[t.length - 1]) });
}
const content = (i: number) => Buffer.from(`bench blob ${i} ${Math.random()}\n`);
const sig = { name: "bench", email: "bench@example.invalid", when: 1_700_000_000 };
const commitOf = (i: number) =>
  formatCommit({
    tree: treeOid,
    parents: [head],
    author: sig,
    committer: sig,
    message: `bench ${i} ${Math.random()}\n`,
  });
const env = {
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "bench@example.invalid",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "bench@example.invalid",
};
const mktreeInput = entries.map(
  (e) => `${e.mode === "40000" ? "040000 tree" : `${e.mode} blob`} ${e.oid}\t${e.name}`,
);

// (a) a process per operation
{
  let cur = head;
  const m = "a: process per op";
  await measure(m, "read blob", () => gitText(["cat-file", "blob", blobOid], { cwd: dir }), N / 2);
  await measure(m, "read tree", () => gitText(["cat-file", "tree", treeOid], { cwd: dir }), N / 2);
  await measure(
    m,
    "write blob",
    (i) => gitText(["hash-object", "-w", "--stdin"], { cwd: dir, input: content(i) }),
    N / 2,
  );
  await measure(
    m,
    "write tree",
    (i) =>
      gitText(["mktree"], {
        cwd: dir,
        input: `${[...mktreeInput, `100644 blob ${blobOid}\tx${i}${Math.random()}`].join("\n")}\n`,
      }),
    N / 2,
  );
  await measure(
    m,
    "write commit",
    (i) =>
      gitText(["commit-tree", treeOid, "-p", head, "-F", "-"], {
        cwd: dir,
        input: `bench ${i} ${Math.random()}`,
        env,
      }),
    N / 2,
  );
  await measure(
    m,
    "CAS ref",
    async () => {
      const next = cur === head ? (await gitText(["rev-parse", "HEAD^"], { cwd: dir })).trim() : head;
      await gitText(["update-ref", REF, next, cur], { cwd: dir });
      cur = next;
    },
    N / 2,
  );
  execFileSync("git", ["update-ref", REF, head], { cwd: dir });
}

// (b) long-lived processes, and in-process loose writes
{
  const repo = new GitRepo(dir);
  const parent = (await repo.readCommit(head)).parents[0];
  let cur = head;
  const m = "b: long-lived processes";
  await measure(m, "read blob", () => repo.read(blobOid));
  await measure(m, "read tree", () => repo.readTree(treeOid));
  const tmpFile = join(work, "obj");
  const line = (b: Buffer) => {
    const nl = b.indexOf(10);
    return nl < 0 ? null : { value: b.toString("utf8", 0, nl), consumed: nl + 1 };
  };
  const hasher = new GitProcess({ cwd: dir, args: ["hash-object", "-w", "--stdin-paths", "--no-filters"] });
  await measure(m, "write blob (hash-object --stdin-paths, temp file)", (i) => {
    fs.writeFileSync(tmpFile, content(i));
    return hasher.call(`${tmpFile}\n`, line);
  });
  const mktree = new GitProcess({ cwd: dir, args: ["mktree", "-z", "--batch"] });
  await measure(m, "write tree (mktree -z --batch)", (i) =>
    mktree.call(`${[...mktreeInput, `100644 blob ${blobOid}\tx${i}${Math.random()}`].join("\0")}\0\0`, line),
  );
  const commits = new GitProcess({ cwd: dir, args: ["hash-object", "-t", "commit", "-w", "--stdin-paths"] });
  await measure(m, "write commit (hash-object -t commit --stdin-paths)", (i) => {
    fs.writeFileSync(tmpFile, commitOf(i));
    return commits.call(`${tmpFile}\n`, line);
  });
  await measure(m, "CAS ref (update-ref --stdin transaction)", async () => {
    const next = cur === head ? parent : head;
    if (!(await repo.updateRefs([{ ref: REF, next, expected: cur }], "bench"))) throw new Error("CAS failed");
    cur = next;
  });
  const m2 = "b: in-process loose writes";
  await measure(m2, "write blob", (i) => repo.write("blob", content(i)));
  await measure(m2, "write tree", (i) =>
    repo.write(
      "tree",
      formatTree([...entries, { mode: "100644", name: `x${i}${Math.random()}`, oid: blobOid }]),
    ),
  );
  await measure(m2, "write commit", (i) => repo.write("commit", commitOf(i)));
  repo.close();
  hasher.close();
  mktree.close();
  commits.close();
  execFileSync("git", ["update-ref", REF, head], { cwd: dir });
}

// (c) libraries in process
const libs = process.env.GITOPS_LIBS;
if (libs) {
  const req = createRequire(join(libs, "x.js"));
  const git = req("isomorphic-git");
  const m = "c: isomorphic-git 1.44.11";
  const cache = {};
  await measure(m, "read blob", () => git.readBlob({ fs, gitdir: dir, oid: blobOid, cache }));
  await measure(m, "read tree", () => git.readTree({ fs, gitdir: dir, oid: treeOid, cache }));
  await measure(m, "write blob", (i) => git.writeBlob({ fs, gitdir: dir, blob: content(i) }));
  await measure(m, "write tree", (i) =>
    git.writeTree({
      fs,
      gitdir: dir,
      tree: [...entries, { mode: "100644", path: `x${i}${Math.random()}`, oid: blobOid, type: "blob" }].map(
        (e) => ({
          mode: e.mode,
          path: "name" in e ? e.name : e.path,
          oid: e.oid,
          type: e.mode === "40000" ? "tree" : "blob",
        }),
      ),
    }),
  );
  await measure(m, "write commit", (i) =>
    git.writeCommit({
      fs,
      gitdir: dir,
      commit: {
        message: `bench ${i} ${Math.random()}\n`,
        tree: treeOid,
        parent: [head],
        author: { name: "bench", email: "b@x", timestamp: 1_700_000_000, timezoneOffset: 0 },
        committer: { name: "bench", email: "b@x", timestamp: 1_700_000_000, timezoneOffset: 0 },
      },
    }),
  );
  await measure(m, "set ref (no compare-and-swap in the API)", () =>
    git.writeRef({ fs, gitdir: dir, ref: REF, value: head, force: true }),
  );
  let es: { openRepository(dir: string): Promise<any> } | null = null;
  try {
    es = req("es-git");
  } catch (err) {
    // es-git 0.7.0's linux-x64-gnu binary needs glibc 2.38 (__isoc23_strtol); Debian 12 has 2.36.
    results.push({
      means: "c: es-git 0.7.0",
      op: "load",
      error: String((err as Error).message).split("\n")[0],
    });
  }
  const repo = es && (await es.openRepository(dir));
  if (repo) {
    const m2 = "c: es-git 0.7.0 (reads only)";
    await measure(m2, "read blob", async () => repo.getObject(blobOid).peelToBlob().content());
    await measure(m2, "read tree", async () =>
      [...repo.getTree(treeOid).iter()].map((e: { name(): string }) => e.name()),
    );
    await measure(m2, "resolve ref", async () => repo.revparseSingle(REF));
  }
}
void ZERO_OID;
const mem = process.memoryUsage();
console.log(
  JSON.stringify(
    {
      git: execFileSync("git", ["--version"]).toString().trim(),
      node: process.version,
      ballast_mib: ballastMib,
      rss_mib_at_end: Math.round(mem.rss / 2 ** 20),
      load_average: loadavg().map((x) => Number(x.toFixed(2))),
      repository: {
        tree_entries: entries.length,
        blob_bytes: execFileSync("git", ["cat-file", "-s", blobOid], { cwd: dir }).toString().trim(),
      },
      results,
    },
    null,
    1,
  ),
);
if (ballast.length && ballast[0] !== 1) throw new Error("ballast lost");
fs.rmSync(work, { recursive: true, force: true });
