// Benchmark: pushing an existing history onto trunk against the same push to another branch,
// side by side, each onto a fresh project of one forge process. A push to trunk also records
// the pushed commits as landings (landing/trunk.ts) before git hears back; a push to a branch
// does not. Run: npx tsx bench/push-trunk.ts [commits] [runs]
// With BENCH_REPO=/path/to/a/bare/repo (e.g. a clone of expressjs/express) its HEAD is pushed
// instead of a generated history (`commits` is then ignored).
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { api, git, makeRepo, median, startForgeProcess, time } from "./lib.ts";

const COMMITS = Number(process.argv[2] ?? 5000);
const RUNS = Number(process.argv[3] ?? 3);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: Math.round(s[0]), median: Math.round(median(s)), max: Math.round(s[s.length - 1]) };
};

const work = mkdtempSync(join(tmpdir(), "micelio-bench-push-"));
try {
  let repo = process.env.BENCH_REPO;
  if (!repo) {
    repo = join(work, "history.git");
    console.log(`building a repository with ${COMMITS} commits…`);
    await makeRepo(repo, COMMITS);
  }
  const commits = Number(await git(repo, "rev-list", "--count", "HEAD"));
  const firstParent = Number(await git(repo, "rev-list", "--first-parent", "--count", "HEAD"));
  const forge = await startForgeProcess(join(work, "forge"));
  const auth = `Basic ${Buffer.from("bench:bench-password").toString("base64")}`;
  await api(forge.url, "POST", "/api/v1/signup", {
    handle: "bench",
    email: "bench@example.test",
    password: "bench-password",
  });
  const base = forge.url.replace("http://", "http://bench:bench-password@");
  const load: number[] = [loadavg()[0]];
  const branch: number[] = [];
  const trunk: number[] = [];
  let landings = 0;
  for (let i = 0; i < RUNS; i++) {
    for (const kind of ["branch", "trunk"] as const) {
      const handle = `${kind}-${i}`;
      await api(forge.url, "POST", "/api/v1/projects", { handle, visibility: "public" }, auth);
      const ref = kind === "trunk" ? "refs/heads/main" : "refs/heads/import";
      const ms = await time(() => git(repo, "push", "-q", `${base}/bench/${handle}.git`, `HEAD:${ref}`));
      (kind === "trunk" ? trunk : branch).push(ms);
      if (kind === "trunk") {
        const res = await fetch(`${forge.url}/api/v1/projects/bench/${handle}/landings?limit=1`);
        landings = ((await res.json()) as Array<{ position: number }>)[0]?.position ?? 0;
      }
      console.log(`run ${i + 1}: ${kind} ${Math.round(ms)} ms`);
      load.push(loadavg()[0]);
    }
  }
  const result = {
    commits,
    first_parent_commits: firstParent,
    runs: RUNS,
    landings_recorded: landings,
    branch_ms: stats(branch),
    trunk_ms: stats(trunk),
    ratio_trunk_over_branch: Number((median(trunk) / median(branch)).toFixed(2)),
    load_average_1min: { min: Math.min(...load), max: Math.max(...load) },
  };
  console.log(JSON.stringify(result, null, 2));
  forge.child.kill("SIGTERM");
} finally {
  rmSync(work, { recursive: true, force: true });
}
