// Benchmark: full clones of a repository with 5,000 commits from the forge, plain against
// `git clone --bundle-uri=<the bundle the forge advertises>` (the bundle downloaded first, then
// only what is newer fetched; here nothing). Runs alternate; min / median / max.
// Run: npx tsx bench/bundle-clone.ts [commits] [runs]
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { benchProject, git, makeRepo, median, startForgeProcess, time } from "./lib.ts";

const COMMITS = Number(process.argv[2] ?? 5000);
const RUNS = Number(process.argv[3] ?? 5);

const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;

/** The data pkt-lines of a short answer. */
function lines(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at + 4 <= text.length; ) {
    const len = Number.parseInt(text.slice(at, at + 4), 16);
    if (len < 4) {
      at += 4;
      continue;
    }
    out.push(text.slice(at + 4, at + len));
    at += len;
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), "micelio-bench-"));
try {
  const load = [loadavg()[0]];
  const repo = join(work, "big.git");
  console.log(`building a repository with ${COMMITS} commits…`);
  await makeRepo(repo, COMMITS);
  await git(repo, "repack", "-a", "-d", "-b", "-q");
  const forge = await startForgeProcess(join(work, "forge"), {
    env: { MICELIO_BUNDLE_MIN_COMMITS: "1000" },
  });
  await benchProject(forge.url, "big");
  const push = `${forge.url.replace("http://", "http://bench:bench-password@")}/bench/big.git`;
  await git(repo, "push", "-q", "--mirror", push);
  // The post-push upkeep job repacks and writes the bundle, as on a live instance.
  const forgeUrl = `${forge.url}/bench/big.git`;
  let uri: string | undefined;
  for (let i = 0; i < 120 && !uri; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const res = await fetch(`${forgeUrl}/git-upload-pack`, {
      method: "POST",
      headers: { "content-type": "application/x-git-upload-pack-request", "git-protocol": "version=2" },
      body: `${pkt("command=bundle-uri\n")}0001${"0000"}`,
    });
    uri = lines(await res.text())
      .find((l) => /^bundle\.[^.]+\.uri=/.test(l))
      ?.replace(/^[^=]+=/, "");
  }
  if (!uri) throw new Error("no bundle was advertised");
  const bytes = Number((await fetch(uri, { method: "HEAD" })).headers.get("content-length"));

  let n = 0;
  const clone =
    (...extra: string[]) =>
    () =>
      git(work, "clone", "-q", "--bare", ...extra, forgeUrl, join(work, `c${n++}`));
  const plain: number[] = [];
  const bundled: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(await time(clone()));
    bundled.push(await time(clone(`--bundle-uri=${uri}`)));
  }
  load.push(loadavg()[0]);
  const stats = (xs: number[]) => ({
    min: Math.round(Math.min(...xs)),
    median: Math.round(median(xs)),
    max: Math.round(Math.max(...xs)),
  });
  const result = {
    commits: Number(await git(join(work, "c0"), "rev-list", "--count", "main")),
    runs: RUNS,
    bundle_bytes: bytes,
    // git keeps the bundle's refs under refs/bundles/ in a clone that used it.
    bundle_used: (await git(join(work, `c${n - 1}`), "for-each-ref", "refs/bundles")).length > 0,
    plain_clone_ms: stats(plain),
    bundle_uri_clone_ms: stats(bundled),
    load_average: load.map((l) => Number(l.toFixed(1))),
  };
  console.log(JSON.stringify(result, null, 2));
  forge.child.kill("SIGTERM");
} finally {
  rmSync(work, { recursive: true, force: true });
}
