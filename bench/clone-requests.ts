// Benchmark: the three requests of a protocol v2 clone (capability advertisement, ls-refs, a
// negotiation-free fetch of every ref) timed one by one against the forge and against
// `git http-backend` serving the same repository, alternating, 15 rounds; min / median / max ms.
// Run: npx tsx bench/clone-requests.ts [commits]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHttpBackend } from "./http-backend.ts";
import { benchProject, git, makeRepo, median, startForgeProcess } from "./lib.ts";

const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;
const work = mkdtempSync(join(tmpdir(), "micelio-clone-requests-"));
const repo = join(work, "repos", "big.git");
await makeRepo(repo, Number(process.argv[2] ?? 5000));
await git(repo, "repack", "-a", "-d", "-b", "-q");
const backend = await startHttpBackend(join(work, "repos"));
const forge = await startForgeProcess(join(work, "forge"));
await benchProject(forge.url, "big");
await git(
  repo,
  "push",
  "-q",
  "--mirror",
  `${forge.url.replace("http://", "http://bench:bench-password@")}/bench/big.git`,
);
await new Promise((r) => setTimeout(r, 15_000));
const tips = (await git(repo, "for-each-ref", "--format=%(objectname)")).split("\n").filter(Boolean);
const wants = [...new Set(tips)].map((t) => pkt(`want ${t}\n`)).join("");
const H = { "git-protocol": "version=2" };
const steps = {
  advert: (base: string) => fetch(`${base}/info/refs?service=git-upload-pack`, { headers: H }),
  lsrefs: (base: string) =>
    fetch(`${base}/git-upload-pack`, {
      method: "POST",
      headers: { ...H, "content-type": "application/x-git-upload-pack-request" },
      body:
        pkt("command=ls-refs\n") +
        pkt("agent=git/2.39.5\n") +
        pkt("object-format=sha1\n") +
        "0001" +
        pkt("peel\n") +
        pkt("symrefs\n") +
        pkt("unborn\n") +
        pkt("ref-prefix HEAD\n") +
        pkt("ref-prefix refs/heads/\n") +
        pkt("ref-prefix refs/tags/\n") +
        "0000",
    }),
  fetch: (base: string) =>
    fetch(`${base}/git-upload-pack`, {
      method: "POST",
      headers: { ...H, "content-type": "application/x-git-upload-pack-request" },
      body:
        pkt("command=fetch\n") +
        pkt("agent=git/2.39.5\n") +
        pkt("object-format=sha1\n") +
        "0001" +
        pkt("thin-pack\n") +
        pkt("no-progress\n") +
        pkt("ofs-delta\n") +
        wants +
        pkt("done\n") +
        "0000",
    }),
};
const bases = { forge: `${forge.url}/bench/big.git`, backend: `${backend.url}/big.git` };
const res: Record<string, number[]> = {};
for (let i = 0; i < 15; i++)
  for (const [name, base] of Object.entries(bases))
    for (const [step, fn] of Object.entries(steps)) {
      const t = performance.now();
      const r = await fn(base);
      await r.arrayBuffer();
      const ms = performance.now() - t;
      if (r.status !== 200) throw new Error(`${name} ${step} ${r.status}`);
      const key = `${name} ${step}`;
      res[key] = [...(res[key] ?? []), ms];
    }
for (const [k, v] of Object.entries(res)) {
  v.sort((a, b) => a - b);
  console.log(k, v[0]!.toFixed(1), median(v).toFixed(1), v.at(-1)!.toFixed(1));
}
forge.child.kill();
backend.server.close();
process.exit(0);
