// Benchmark: the web view of a 2,000-line TypeScript file, cold (first view: highlight and
// cache) and warm (served from the render cache). Run: npx tsx bench/file-view.ts [runs]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, git, median, startForgeProcess, time } from "./lib.ts";

const RUNS = Number(process.argv[2] ?? 20);

function typescriptFile(lines: number): string {
  const out: string[] = [
    "// Generated for the file-view benchmark.",
    'import { readFileSync } from "node:fs";',
    "",
  ];
  for (let i = 0; out.length < lines; i++) {
    out.push(`export interface Record${i} { id: number; name: string; tags: string[] }`);
    out.push(`export function transform${i}(input: Record${i}[]): Map<number, string> {`);
    out.push(`  const result = new Map<number, string>(); // entry ${i}`);
    out.push(`  for (const item of input) result.set(item.id * ${i + 1}, \`\${item.name}-${i}\`);`);
    out.push("  return result;");
    out.push("}");
    out.push("");
  }
  return `${out.slice(0, lines).join("\n")}\n`;
}

const work = mkdtempSync(join(tmpdir(), "micelio-fileview-"));
try {
  const src = join(work, "src");
  mkdirSync(join(src, "src"), { recursive: true });
  await git(work, "init", "-q", "-b", "main", src);
  writeFileSync(join(src, "src", "big.ts"), typescriptFile(2000));
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "big file");
  const forge = await startForgeProcess(join(work, "forge"));
  const auth = `Basic ${Buffer.from("bench:bench-password").toString("base64")}`;
  await api(forge.url, "POST", "/api/v1/signup", {
    handle: "bench",
    email: "bench@example.test",
    password: "bench-password",
  });
  await api(forge.url, "POST", "/api/v1/projects", { handle: "files", visibility: "public" }, auth);
  await git(
    src,
    "push",
    "-q",
    `${forge.url.replace("http://", "http://bench:bench-password@")}/bench/files.git`,
    "main",
  );
  const url = `${forge.url}/bench/files/blob/main/src/big.ts`;
  const get = async () => {
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.text();
  };
  const cold = await time(get);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await time(get));
  console.log(
    JSON.stringify(
      {
        lines: 2000,
        cold_ms: Math.round(cold),
        warm_median_ms: Math.round(median(warm)),
        warm_runs: RUNS,
        ratio_cold_over_warm: Number((cold / median(warm)).toFixed(1)),
      },
      null,
      2,
    ),
  );
  forge.child.kill("SIGTERM");
} finally {
  rmSync(work, { recursive: true, force: true });
}
