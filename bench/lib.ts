// Helpers shared by the benchmarks: run git, build a large repository quickly with
// fast-import, start a forge as its own process, and time repeated runs.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.test",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.test",
};

export const git = async (cwd: string, ...args: string[]) =>
  (await exec("git", args, { cwd, env: ENV, maxBuffer: 256 << 20 })).stdout.trim();

/** A repository with `commits` commits over `files` files (each commit edits one file). */
export async function makeRepo(dir: string, commits: number, files = 200): Promise<void> {
  await git("/", "init", "-q", "--bare", "-b", "main", dir);
  const lines: string[] = [];
  const contents = Array.from({ length: files }, (_, i) =>
    Array.from({ length: 40 }, (_, l) => `file ${i} line ${l}`),
  );
  for (let c = 1; c <= commits; c++) {
    const f = c % files;
    contents[f][c % 40] = `file ${f} line ${c % 40} edited in commit ${c}`;
    const data = `${contents[f].join("\n")}\n`;
    const msg = `commit ${c}\n`;
    lines.push(
      `commit refs/heads/main`,
      `mark :${c}`,
      `committer Bench <bench@example.test> ${1_700_000_000 + c} +0000`,
    );
    lines.push(`data ${Buffer.byteLength(msg)}`, msg.slice(0, -1));
    if (c > 1) lines.push(`from :${c - 1}`);
    if (c === 1) {
      for (let i = 0; i < files; i++) {
        const d = `${contents[i].join("\n")}\n`;
        lines.push(`M 100644 inline src/file${i}.txt`, `data ${Buffer.byteLength(d)}`, d.slice(0, -1));
      }
    } else {
      lines.push(`M 100644 inline src/file${f}.txt`, `data ${Buffer.byteLength(data)}`, data.slice(0, -1));
    }
    lines.push("");
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn("git", ["fast-import", "--quiet"], {
      cwd: dir,
      env: ENV,
      stdio: ["pipe", "ignore", "inherit"],
    });
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`))));
    child.stdin.end(`${lines.join("\n")}\n`);
  });
  await git(dir, "gc", "-q", "--aggressive");
}

/**
 * The start script's memory settings on embedded PGlite (bin/serve.sh, ADR 34): malloc's mmap
 * threshold fixed at 32 KiB and a 4 MiB semi-space; none on PostgreSQL (`postgres` true).
 * BENCH_FORGE_PLAIN=1 leaves them out on PGlite too, to measure them.
 */
export function startSettings(postgres: boolean): { env: Record<string, string>; nodeArgs: string[] } {
  if (postgres || process.env.BENCH_FORGE_PLAIN === "1") return { env: {}, nodeArgs: [] };
  return {
    env: { GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? "glibc.malloc.mmap_threshold=32768" },
    nodeArgs: ["--max-semi-space-size=4"],
  };
}

export async function startForgeProcess(
  dataDir: string,
  opts: { keepDatabaseUrl?: boolean; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<{ url: string; child: ChildProcess }> {
  // What `npm start` runs: the compiled bundle (bin/micelio.js builds it when a source is newer),
  // with the start script's memory settings; BENCH_TSX=1 runs the TypeScript sources through
  // tsx's loader instead.
  const forge = join(import.meta.dirname, "..", "packages", "forge");
  const settings = startSettings(Boolean(opts.keepDatabaseUrl && process.env.DATABASE_URL));
  const entry =
    process.env.BENCH_TSX === "1"
      ? ["--import", "tsx", join(forge, "src", "main.ts")]
      : [join(forge, "bin", "micelio.js")];
  const env = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    MICELIO_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    MICELIO_RATE_LIMIT_ANON: "1000000",
    MICELIO_RATE_LIMIT_USER: "1000000",
    ...settings.env,
    ...opts.env,
  };
  if (!opts.keepDatabaseUrl) delete (env as Record<string, string | undefined>).DATABASE_URL;
  const child = spawn(process.execPath, [...settings.nodeArgs, ...(opts.nodeArgs ?? []), ...entry, "serve"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`forge exited ${code}`)));
  });
  return { url, child };
}

export async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function api(url: string, method: string, path: string, body: unknown, auth?: string) {
  const res = await fetch(url + path, {
    method,
    headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

/** Signs up the benchmark's user on a forge and makes a public project; answers the Basic auth header. */
export async function benchProject(url: string, handle: string): Promise<string> {
  const auth = `Basic ${Buffer.from("bench:bench-password").toString("base64")}`;
  await api(url, "POST", "/api/v1/signup", {
    handle: "bench",
    email: "bench@example.test",
    password: "bench-password",
  });
  await api(url, "POST", "/api/v1/projects", { handle, visibility: "public" }, auth);
  return auth;
}
