// Finding and following projects from the terminal: `mic search` (projects, or the code of
// one project with --in), `mic star` / `mic unstar`, and `mic fork` (optionally cloning the
// fork, ready for sessions that land in the parent through `propose`).
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, parseProject, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { naming } from "../subject.ts";
import { cloneProject, requireEmptyDir } from "./clone.ts";

interface ProjectHit {
  full_name: string;
  description: string;
  stars_count: number;
}

interface CodeHit {
  path: string;
  line: number;
  text: string;
}

/** Server text for the terminal: control characters (escape sequences) shown as "?". */
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is replaced
const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");

const limitOf = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new CliError("--limit must be 1 to 100", EXIT.usage);
  return n;
};

function registerSearch(program: Command) {
  program
    .command("search")
    .description("search projects by name, description and README; or a project's code with --in")
    .argument("<query>", "words to look for (a literal string, or a regex with --regex)")
    .option("--sort <order>", "relevance, stars or recent", "relevance")
    .option("--limit <n>", "results to show (1 to 100)", "20")
    .option("--in <owner/project>", "search the code of this project instead (git grep)")
    .option("--ref <ref>", "with --in: the branch, tag or commit (default: the default branch)")
    .option("--regex", "with --in: the query is a regular expression")
    .action(
      async (
        query: string,
        o: { sort: string; limit: string; in?: string; ref?: string; regex?: boolean },
      ) => {
        const conn = connection(program);
        const limit = limitOf(o.limit);
        if (o.in) {
          const params = new URLSearchParams({ q: query, limit: String(limit) });
          if (o.ref) params.set("ref", o.ref);
          if (o.regex) params.set("regex", "true");
          const found = await request<{ items: CodeHit[]; truncated: boolean }>(
            conn,
            "GET",
            `${projectPath(parseProject(o.in))}/search/code?${params}`,
          );
          const lines = found.items.map((m) => plain(`${m.path}:${m.line}: ${m.text}`));
          if (found.truncated) lines.push("(more matches: narrow the query or raise --limit)");
          print(program, found, lines.length ? lines.join("\n") : `No matches for "${query}" in ${o.in}`);
          return;
        }
        if (!["relevance", "stars", "recent"].includes(o.sort))
          throw new CliError("--sort must be relevance, stars or recent", EXIT.usage);
        const params = new URLSearchParams({ q: query, sort: o.sort, limit: String(limit) });
        const found = await request<{ items: ProjectHit[]; match: string }>(
          conn,
          "GET",
          `/api/v1/search/projects?${params}`,
        );
        const lines = found.items.map((p) =>
          plain(`${p.full_name}  ★${p.stars_count}${p.description ? `  ${p.description}` : ""}`),
        );
        if (lines.length && found.match === "similar")
          lines.unshift(`Nothing matched "${query}"; similar names:`);
        print(program, found, lines.length ? lines.join("\n") : `No projects match "${query}"`);
      },
    );
}

function registerStars(program: Command) {
  for (const [name, method, done] of [
    ["star", "PUT", "Starred"],
    ["unstar", "DELETE", "Unstarred"],
  ] as const) {
    program
      .command(name)
      .description(`${name} a project (you need to be logged in)`)
      .argument("<owner/project>", "the project, e.g. alice/website")
      .action(async (spec: string) => {
        const target = parseProject(spec);
        const conn = connection(program);
        if (!conn.token) throw new CliError(`log in first (mic auth login) to ${name} projects`, EXIT.usage);
        const path = `/api/v1/user/starred/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.project)}`;
        await naming({ conn, project: target }, () => request(conn, method, path));
        const project = await request<{ stars_count: number }>(conn, "GET", projectPath(target));
        print(
          program,
          { ...target, starred: method === "PUT", stars_count: project.stars_count },
          `${done} ${target.owner}/${target.project} (${project.stars_count} star${project.stars_count === 1 ? "" : "s"})`,
        );
      });
  }
}

function registerFork(program: Command) {
  program
    .command("fork")
    .description("fork a project under your account or an organization, and optionally clone the fork")
    .argument("<owner/project>", "the project to fork, e.g. alice/website")
    .option("--owner <org>", "fork into this organization instead of your account")
    .option("--name <handle>", "the fork's name (default: the project's)")
    .option("--clone [dir]", "clone the fork afterwards (into dir, default: its name)")
    .action(async (spec: string, o: { owner?: string; name?: string; clone?: string | boolean }) => {
      const source = parseProject(spec);
      const conn = connection(program);
      if (!conn.token) throw new CliError("log in first (mic auth login) to fork projects", EXIT.usage);
      // Checked before the fork exists: a clone that cannot happen should not leave a fork behind.
      const cloneDir = typeof o.clone === "string" ? o.clone : (o.name ?? source.project);
      if (o.clone) requireEmptyDir(cloneDir);
      const body: Record<string, string> = {};
      if (o.owner) body.owner = o.owner;
      if (o.name) body.handle = o.name;
      const fork = await naming({ conn, project: source }, () =>
        request<{ full_name: string; parent: string }>(conn, "POST", `${projectPath(source)}/forks`, body),
      );
      const target = parseProject(fork.full_name);
      const cloned = o.clone ? await cloneProject(program, target, cloneDir) : undefined;
      print(
        program,
        { ...fork, cloned: cloned ?? null },
        `Forked ${spec} as ${fork.full_name}${cloned ? `, cloned into ${cloned.dir}` : ""}`,
      );
    });
}

export function registerSocial(program: Command) {
  registerSearch(program);
  registerStars(program);
  registerFork(program);
}
