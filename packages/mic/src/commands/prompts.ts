// `mic prompts search [QUERY]`: past prompts of a project's sessions (or, with --all, of every
// project you can read) with their outcomes, newest first; `mic prompts templates`: the
// project's curated prompt templates. The project comes from --project or the current checkout.
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, parseProject, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { naming } from "../subject.ts";
import { findWorkspace } from "../workspace.ts";

const OUTCOMES = ["landed", "rejected", "abandoned", "open"];

interface PromptItem {
  session_id: string;
  project: string;
  goal: string;
  excerpt: string;
  agent: { name: string; model: string | null } | null;
  template: string | null;
  outcome: string;
  validation: { score: number | null } | null;
  created_at: string;
}
interface Registry {
  items: PromptItem[];
  counts: Record<string, number>;
  next_before: string | null;
}
interface Template {
  id: string;
  kind: string;
  title: string;
  body: string;
  placeholders: string[];
}

/** The project named by --project or the checkout, with the connection to its forge. */
async function projectTarget(program: Command, projectOpt?: string) {
  const ws = projectOpt ? null : await findWorkspace();
  if (!projectOpt && !ws)
    throw new CliError("give --project OWNER/PROJECT, --all, or run inside a mic checkout", EXIT.usage);
  const project = projectOpt
    ? parseProject(projectOpt)
    : { owner: ws!.state.owner, project: ws!.state.project };
  return { project, conn: connection(program, ws?.state.server) };
}

const oneLine = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function registryText(r: Registry, all: boolean) {
  if (!r.items.length) return "No prompts match";
  const lines = r.items.map((p) => {
    const who = p.agent ? ` [${p.agent.name}${p.agent.model ? `:${p.agent.model}` : ""}]` : "";
    const score = p.validation?.score != null ? ` score ${Math.round(p.validation.score)}` : "";
    const tpl = p.template ? ` template ${p.template}` : "";
    return `${p.session_id}  ${p.outcome.padEnd(9)}${all ? ` ${p.project}` : ""}  ${oneLine(p.goal, 60)}${who}${tpl}${score}\n    ${oneLine(p.excerpt, 100)}`;
  });
  const c = r.counts;
  lines.push(
    `${c.landed ?? 0} landed, ${c.rejected ?? 0} rejected, ${c.abandoned ?? 0} abandoned, ${c.open ?? 0} open`,
  );
  if (r.next_before) lines.push(`More: --before ${r.next_before}`);
  return lines.join("\n");
}

export function registerPrompts(program: Command) {
  const prompts = program
    .command("prompts")
    .description("search past prompts and their outcomes; list the project's prompt templates");

  prompts
    .command("search")
    .description("past prompts of the project's sessions (or every project with --all), newest first")
    .argument("[query]", "words in the goal or prompt (case-insensitive)")
    .option("--outcome <outcome>", `only sessions that ended so: ${OUTCOMES.join(", ")}`)
    .option("--template <id>", "only prompts started from this template")
    .option("--agent <name>", "only sessions by this agent")
    .option("--all", "search every project you can read")
    .option("--full", "include each prompt's whole text (with --json)")
    .option("--before <session>", "the next page: sessions older than this one")
    .option("--limit <n>", "how many (1-100)", "20")
    .option("--project <owner/project>", "the project (default: the current checkout's)")
    .action(
      async (
        query: string | undefined,
        opts: {
          outcome?: string;
          template?: string;
          agent?: string;
          all?: boolean;
          full?: boolean;
          before?: string;
          limit: string;
          project?: string;
        },
      ) => {
        if (opts.outcome && !OUTCOMES.includes(opts.outcome))
          throw new CliError(`--outcome is one of ${OUTCOMES.join(", ")}`, EXIT.usage);
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100)
          throw new CliError("--limit must be 1-100", EXIT.usage);
        if (query && query.length > 200)
          throw new CliError("the query is at most 200 characters", EXIT.usage);
        if (opts.all && (opts.project || opts.template))
          throw new CliError("--all searches every project: drop --project and --template", EXIT.usage);
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries({
          q: query,
          outcome: opts.outcome,
          template: opts.template,
          agent: opts.agent,
          before: opts.before,
          limit: String(limit),
          full: opts.full ? "true" : undefined,
        }))
          if (v) params.set(k, v);
        let result: Registry;
        if (opts.all) {
          const ws = await findWorkspace();
          const conn = connection(program, ws?.state.server);
          result = await request<Registry>(conn, "GET", `/api/v1/prompts?${params}`);
        } else {
          const { project, conn } = await projectTarget(program, opts.project);
          result = await naming({ conn, project }, () =>
            request<Registry>(conn, "GET", `${projectPath(project)}/prompts?${params}`),
          );
        }
        print(program, result, registryText(result, Boolean(opts.all)));
      },
    );

  prompts
    .command("templates")
    .description("the project's prompt templates: id, kind, title, placeholders and text")
    .option("--project <owner/project>", "the project (default: the current checkout's)")
    .action(async (opts: { project?: string }) => {
      const { project, conn } = await projectTarget(program, opts.project);
      const templates = await naming({ conn, project }, () =>
        request<Template[]>(conn, "GET", `${projectPath(project)}/prompt-templates`),
      );
      const human = templates.length
        ? templates
            .map(
              (t) =>
                `${t.id}  (${t.kind})  ${t.title}${t.placeholders.length ? `  {{${t.placeholders.join("}}, {{")}}}` : ""}\n${t.body
                  .split("\n")
                  .map((l) => `    ${l}`)
                  .join("\n")}`,
            )
            .join("\n\n")
        : "No prompt templates in this project";
      print(program, { templates }, human);
    });
}
