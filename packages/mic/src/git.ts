// Runs git for mic: argument arrays only, output captured, and the forge token passed as an
// HTTP header through GIT_CONFIG_* variables (never on the command line, never in .git/config).
import { spawn } from "node:child_process";
import { CliError, EXIT, exitForProblem, problemName } from "./exit-codes.ts";

export interface GitOptions {
  cwd: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Exit codes that are not failures (the caller reads `code`). */
  okCodes?: number[];
  /** Let git draw its progress on our stderr (only when it is a terminal). */
  progress?: boolean;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function git(args: string[], opts: GitOptions): Promise<GitResult> {
  const r = await run(args, opts);
  return { code: r.code, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
}

/** git's stdout as bytes (object contents). */
export const gitBytes = async (args: string[], opts: GitOptions) => (await run(args, opts)).stdout;

function run(args: string[], opts: GitOptions): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: opts.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...opts.env },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", opts.progress ? "inherit" : "pipe"],
    });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => stdout.push(d));
    child.stderr?.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", (err) => reject(new CliError(`cannot run git: ${err.message}`, EXIT.usage)));
    child.on("close", (code) => {
      trace(started, `git ${args.slice(0, 3).join(" ")} → ${code}`);
      const result = { code: code ?? 1, stdout: Buffer.concat(stdout), stderr };
      if (code === 0 || opts.okCodes?.includes(code ?? -1)) resolve(result);
      else reject(gitError(args, stderr));
    });
    if (child.stdin) {
      child.stdin.on("error", () => {}); // git may exit without reading; its exit code tells
      child.stdin.end(opts.input);
    }
  });
}

/** With MIC_TRACE set, one line on stderr per git process and HTTP call: its wall time. */
export function trace(started: number, what: string) {
  if (process.env.MIC_TRACE)
    process.stderr.write(`mic: ${(performance.now() - started).toFixed(0).padStart(5)} ms  ${what}\n`);
}

/** git's stdout, trimmed. */
export const gitOut = async (args: string[], opts: GitOptions) => (await git(args, opts)).stdout.trim();

/**
 * A failed git command as mic's error. When the forge refused a push, its hook said why in
 * `remote:` lines ending with `Micelio-Problem: {problem+json}`: that reason becomes the
 * message, the problem the --json details, and its type the exit code.
 */
export function gitError(args: string[], stderr: string): CliError {
  const remote = stderr
    .split("\n")
    .filter((l) => l.startsWith("remote: "))
    .map((l) => l.slice("remote: ".length).trimEnd());
  const marker = "Micelio-Problem: ";
  const line = remote.find((l) => l.startsWith(marker));
  let problem: Record<string, unknown> | undefined;
  try {
    problem = line ? JSON.parse(line.slice(marker.length)) : undefined;
  } catch {
    problem = undefined;
  }
  if (problem && typeof problem === "object") {
    const said = remote.filter((l) => l && !l.startsWith(marker) && !/^-+$/.test(l)).join("\n");
    const message = `the forge refused the ${args[0]}: ${said || String(problem.detail ?? "")}`;
    const status = typeof problem.status === "number" ? problem.status : 400;
    return new CliError(message, exitForProblem(status, problemName(problem)), problem);
  }
  const http = /(?:HTTP|returned error:) (4\d\d|5\d\d)/.exec(stderr);
  if (http && args[0] === "push" && (http[1] === "413" || http[1] === "400"))
    return new CliError(
      `the forge refused the push${http[1] === "413" ? " as too large" : ""}: ${gitFailure(args, stderr)}`,
      EXIT.refused,
      { status: Number(http[1]) },
    );
  return new CliError(gitFailure(args, stderr), EXIT.usage);
}

function gitFailure(args: string[], stderr: string): string {
  const line =
    stderr
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^(fatal|error):/.test(l))
      .pop() ?? stderr.trim().split("\n").pop();
  return `git ${args[0]} failed${line ? `: ${line.replace(/^(fatal|error):\s*/, "")}` : ""}`;
}

/** Environment that makes git send the token to `server` (and only there). */
export function authEnv(
  server: string,
  handle: string | undefined,
  token: string | undefined,
): Record<string, string> {
  if (!token) return {};
  const basic = Buffer.from(`${handle ?? "mic"}:${token}`).toString("base64");
  const origin = new URL(server).origin;
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/** True when git should draw progress: stderr is a terminal and output is for humans. */
export const showProgress = (json: boolean) => !json && process.stderr.isTTY === true;
