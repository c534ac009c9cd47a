// Test fixture for the code-browsing tests: builds a real repository with the git CLI
// (history, a subdirectory, a branch with a slash, tags, binary and large files, a README
// with relative links and script attempts) and pushes it to a test forge. Git runs
// asynchronously: the forge serves in the same process.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gitEnv } from "../repos/git.ts";

const exec = promisify(execFile);

export async function runGit(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec("git", args, {
    cwd,
    env: gitEnv({
      GIT_AUTHOR_NAME: "Ada Tester",
      GIT_AUTHOR_EMAIL: "ada@example.test",
      GIT_COMMITTER_NAME: "Ada Tester",
      GIT_COMMITTER_EMAIL: "ada@example.test",
    }),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** A 1×1 PNG (its bytes include NULs, so git and the forge see it as binary). */
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
export const BINARY = Buffer.from([0, 1, 2, 3, 255, 0, 7, 8]);

export const README = `# Demo project

Read the [guide](docs/guide.md), see ![logo](docs/logo.png) and ![icon](icon.svg).

<script>alert("readme-script")</script>
<img src="x.png" onerror="alert('readme-onerror')">
[click me](javascript:alert('readme-js'))
<a href="javascript:alert('readme-js2')">js link</a>
`;

export const APP_V1 = `export function greet(name: string): string {
  return "Hello, " + name;
}

export const answer = 42;
`;

export const APP_V2 = `export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}

export const markup = "<script>alert('diff')</script>";
`;

export interface Fixture {
  src: string;
  first: string;
  assets: string;
  appChange: string;
  head: string;
  feature: string;
  commits: number;
}

const write = (root: string, path: string, content: string | Buffer) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
};

/** Builds the fixture repository in `dir` (created). */
export async function buildRepo(dir: string): Promise<Fixture> {
  await runGit(join(dir, ".."), "init", "-q", "-b", "main", dir);
  const commit = async (message: string) => {
    await runGit(dir, "add", "-A");
    await runGit(dir, "commit", "-q", "-m", message);
    return runGit(dir, "rev-parse", "HEAD");
  };
  write(dir, "README.md", README);
  write(dir, "docs/guide.md", "# Guide\n\nBack to the [readme](../README.md).\n");
  write(dir, "src/app.ts", APP_V1);
  const first = await commit("Initial import");
  await runGit(dir, "tag", "v0.1");

  write(dir, "docs/logo.png", PNG);
  write(
    dir,
    "icon.svg",
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10" fill="red"/></svg>\n',
  );
  write(dir, "page.html", "<!doctype html><script>alert('raw-html')</script>\n");
  write(dir, "data.bin", BINARY);
  write(dir, "notes/a b é.txt", "spaces and accents\n");
  write(dir, "src/long.ts", `export const long = "${"x".repeat(600)}";\n`);
  const big = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${"-".repeat(20)}`).join("\n");
  write(dir, "big.txt", `${big}\n`); // ~1.3 MB
  const assets = await commit("Add assets\n\nImages, a page, binary and large files.");

  write(dir, "src/app.ts", APP_V2);
  const appChange = await commit("Template greeting");
  await runGit(dir, "tag", "-a", "v1.0", "-m", "Release 1.0");

  for (let i = 1; i <= 30; i++) {
    write(dir, "counter.txt", `${i}\n`);
    await commit(`Count ${i}`);
  }
  const head = await runGit(dir, "rev-parse", "HEAD");

  await runGit(dir, "checkout", "-q", "-b", "feature/x");
  write(dir, "feature.txt", "feature work\n");
  const feature = await commit("Feature work");
  await runGit(dir, "checkout", "-q", "main");
  return { src: dir, first, assets, appChange, head, feature, commits: 33 };
}

/** Pushes every branch and tag to `url` (with credentials in it). */
export async function pushAll(dir: string, url: string): Promise<void> {
  await runGit(dir, "push", "-q", url, "--all");
  await runGit(dir, "push", "-q", url, "--tags");
}
