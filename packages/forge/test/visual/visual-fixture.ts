// Seeds one forge with fixed, deterministic data for the page-by-page browser suite: three
// users (the first is the administrator), an organization with a project, a public project
// with a README, highlighted sources, nested folders and two commits with fixed dates, a
// landed session with a conversation, a session waiting to land, a star, a private project,
// and a third user with a long bio who follows ben (for the follower pages; nobody whose
// profile has a screenshot follows or is followed, so their counts stay at 0).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { gitEnv } from "../../src/repos/git.ts";
import { sessionApi } from "../../src/sessions/session-pages-fixture.ts";
import { api, userWithToken } from "../../src/testing/client.ts";

const exec = promisify(execFile);

export const ADA = { handle: "ada", password: "pw-ada-secret" };
export const BEN = { handle: "ben" };
export const CLEO = {
  handle: "cleo",
  name: "Cleo Lightkeeper",
  bio: "Keeps the lamps lit through long nights; writes about lighthouses-lanterns-and-other-bright-things.",
};
export const ORG = "lamplighters";
export const PROJECT = "lantern";
export const ORG_PROJECT = "beacon";
export const PRIVATE = "vault";

export interface Seeded {
  /** The landed session's id, for its page. */
  landed: string;
  /** The second pushed commit (it changes src/main.ts), for the commit page. */
  commit: string;
}

const README = `# Lantern

A small lamp for dark repositories: it **lights** the way through a codebase.

## Usage

\`\`\`sh
npm install lantern
lantern --bright src/
\`\`\`

- Fast: reads only what it shows
- Friendly: plain text output
- Portable: works on any POSIX system

| Option | Meaning |
| --- | --- |
| \`--bright\` | Show every file |
| \`--dim\` | Show only changed files |
`;

const MAIN_V1 = `// Lantern: lights the way through a codebase.
import { shine } from "./util/light.ts";

export function main(args: string[]): number {
  const bright = args.includes("--bright");
  for (const path of args.filter((a) => !a.startsWith("--"))) {
    console.log(shine(path, bright));
  }
  return 0;
}
`;

const MAIN_V2 = MAIN_V1.replace(
  "  return 0;\n",
  '  if (args.length === 0) {\n    console.error("usage: lantern [--bright] <path>...");\n    return 2;\n  }\n  return 0;\n',
);

const LIGHT = `/** Formats one path, brightly or not. */
export function shine(path: string, bright: boolean): string {
  return bright ? \`* \${path.toUpperCase()}\` : \`- \${path}\`;
}
`;

const FILES: Record<string, string> = {
  "README.md": README,
  "src/main.ts": MAIN_V1,
  "src/util/light.ts": LIGHT,
  "docs/guide.md": "# Guide\n\nRun `lantern` in a repository.\n",
  "package.json": '{\n  "name": "lantern",\n  "version": "1.0.0",\n  "type": "module"\n}\n',
  LICENSE: "MIT License\n\nCopyright (c) 2026 Ada\n",
};

async function git(cwd: string, date: string, ...args: string[]) {
  const env = gitEnv({
    GIT_AUTHOR_NAME: "Ada Lovelace",
    GIT_AUTHOR_EMAIL: "ada@example.test",
    GIT_COMMITTER_NAME: "Ada Lovelace",
    GIT_COMMITTER_EMAIL: "ada@example.test",
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
  return (await exec("git", args, { cwd, env, encoding: "utf8" })).stdout.trim();
}

function write(dir: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

async function must(what: string, r: Promise<{ status: number; body: unknown }>, status = 201) {
  const res = await r;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** Seeds the forge at `url`; the same data, byte for byte, on every run. */
export async function seedVisualForge(url: string): Promise<Seeded> {
  const ada = await userWithToken(url, ADA.handle);
  const ben = await userWithToken(url, BEN.handle);
  const project = (handle: string, json: Record<string, unknown>) =>
    must(
      `project ${handle}`,
      api(url, "POST", "/api/v1/projects", { token: ada.token, json: { handle, ...json } }),
    );
  await project(PROJECT, { name: "Lantern", description: "A small lamp for dark repositories" });
  await project(PRIVATE, { description: "Private notes", visibility: "private" });
  await must(
    "org",
    api(url, "POST", "/api/v1/orgs", {
      token: ada.token,
      json: { handle: ORG, name: "The Lamplighters", description: "People who light lamps" },
    }),
  );
  await project(ORG_PROJECT, { owner: ORG, description: "A lighthouse for the organization" });

  const work = mkdtempSync(join(tmpdir(), "micelio-visual-"));
  let commit: string;
  try {
    await git(work, "2026-01-05T10:00:00Z", "init", "-q", "-b", "main", "src");
    const src = join(work, "src");
    write(src, FILES);
    await git(src, "2026-01-05T10:00:00Z", "add", "-A");
    await git(src, "2026-01-05T10:00:00Z", "commit", "-q", "-m", "Light the first lantern");
    write(src, { "src/main.ts": MAIN_V2 });
    await git(src, "2026-01-06T09:30:00Z", "commit", "-q", "-am", "Print usage when no path is given");
    commit = await git(src, "2026-01-06T09:30:00Z", "rev-parse", "HEAD");
    const remote = new URL(`/${ADA.handle}/${PROJECT}.git`, url);
    [remote.username, remote.password] = [ADA.handle, ada.token];
    await git(src, "2026-01-06T09:30:00Z", "push", "-q", remote.toString(), "main");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const s = sessionApi(url, ada.token, ADA.handle, PROJECT);
  const agent = { name: "claude-code", model: "opus-4", version: "1.0.0" };
  const landed = await s.open("Add a --dim option", {
    agent,
    origin: "ai-generated",
    prompt: { text: "Add a --dim option that halves the brightness", system: "You are a careful engineer." },
  });
  await s.events(landed.id, [
    { kind: "prompt", text: "Add a --dim option that shows only changed files.", tokens: 42 },
    { kind: "message", role: "assistant", text: "I will add the option to src/util/light.ts." },
    { kind: "tool_call", tool: "bash", input: { command: "npm test" }, output: "ok 3 tests", ok: true },
  ]);
  await s.change(landed.id, { "src/util/light.ts": `${LIGHT}\nexport const DIM = "--dim";\n` });
  const land = await s.land(landed.id);
  if (land.status !== 200) throw new Error(`land: ${land.status} ${JSON.stringify(land.body)}`);
  const waiting = await s.open("Document the options", {
    agent,
    prompt: { text: "Document every option in the README" },
  });
  await s.change(waiting.id, { "docs/options.md": "# Options\n" });

  await must(
    "star",
    api(url, "PUT", `/api/v1/user/starred/${ADA.handle}/${PROJECT}`, { token: ben.token }),
    204,
  );
  const cleo = await userWithToken(url, CLEO.handle);
  await must(
    "cleo's profile",
    api(url, "PATCH", "/api/v1/user", { token: cleo.token, json: { name: CLEO.name, bio: CLEO.bio } }),
    200,
  );
  await must("follow", api(url, "PUT", `/api/v1/user/following/${BEN.handle}`, { token: cleo.token }), 204);
  return { landed: landed.id, commit };
}
