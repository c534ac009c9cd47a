// Benchmark: full clones of a repository with 5,000 commits through the forge (cold: first
// clone after a push; warm: later clones, served from the pack cache) against git's own
// `git http-backend` serving the same repository. Run: npx tsx bench/clone.ts [commits] [runs];
// `npx tsx bench/clone.ts /path/to/repo.git [runs]` uses that repository's branches and tags
// instead of a generated history (a real project, e.g. a mirror brought by the tool library).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHttpBackend } from "./http-backend.ts";
import { benchProject, git, makeRepo, median, startForgeProcess, time } from "./lib.ts";

const SOURCE = process.argv[2] && !/^\d+$/.test(process.argv[2]) ? process.argv[2] : undefined;
const COMMITS = SOURCE ? 0 : Number(process.argv[2] ?? 5000);
const RUNS = Number(process.argv[3] ?? 7);

const work = mkdtempSync(join(tmpdir(), "micelio-bench-"));
try {
  const repo = join(work, "repos", "big.git");
  if (SOURCE) {
    console.log(`copying the branches and tags of ${SOURCE}…`);
    await git(work, "clone", "-q", "--bare", SOURCE, repo);
  } else {
    console.log(`building a repository with ${COMMITS} commits…`);
    await makeRepo(repo, COMMITS);
  }
  await git(repo, "repack", "-a", "-d", "-b", "-q");
  const backend = await startHttpBackend(join(work, "repos"));
  const forge = await startForgeProcess(join(work, "forge"));
  await benchProject(forge.url, "big");
  const push = `${forge.url.replace("http://", "http://bench:bench-password@")}/bench/big.git`;
  await git(repo, "push", "-q", "--mirror", push);
  // Let the post-push repack job run, as it would on a live instance.
  await new Promise((r) => setTimeout(r, 15_000));

  let n = 0;
  const clone = (url: string) => () => git(work, "clone", "-q", "--bare", url, join(work, `c${n++}`));
  const forgeUrl = `${forge.url}/bench/big.git`;
  const backendUrl = `${backend.url}/big.git`;
  const cold = await time(clone(forgeUrl));
  const forgeTimes: number[] = [];
  const backendTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    backendTimes.push(await time(clone(backendUrl)));
    forgeTimes.push(await time(clone(forgeUrl)));
  }
  const count = await git(join(work, "c0"), "rev-list", "--count", "--all");
  const refs = (await git(join(work, "c0"), "for-each-ref", "--format=x")).split("\n").length;
  const result = {
    commits: Number(count),
    refs,
    runs: RUNS,
    forge_first_clone_ms: Math.round(cold),
    forge_median_ms: Math.round(median(forgeTimes)),
    http_backend_median_ms: Math.round(median(backendTimes)),
    ratio_forge_over_http_backend: Number((median(forgeTimes) / median(backendTimes)).toFixed(2)),
  };
  console.log(JSON.stringify(result, null, 2));
  forge.child.kill("SIGTERM");
  backend.server.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
