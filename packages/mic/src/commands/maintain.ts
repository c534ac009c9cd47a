// What a project's maintainers do with other people's sessions, without a checkout of them:
// `mic sessions` (list a project's sessions, e.g. --status open for the ones proposed from
// forks), `mic approve SESSION` (when the project requires a review before landing) and
// `mic land SESSION --project OWNER/PROJECT` (land someone's session; `land` without a
// session is the checkout's own, in land.ts). The project defaults to the checkout's.
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, parseProject, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { naming } from "../subject.ts";
import { findWorkspace } from "../workspace.ts";

interface SessionJson {
  id: string;
  goal: string;
  author: string;
  status: string;
  agent: { name: string; model: string | null } | null;
  source: { project: string; session: string } | null;
  approved_by?: string | null;
}

async function projectOf(program: Command, spec: string | undefined) {
  const ws = spec ? null : await findWorkspace();
  if (!spec && !ws)
    throw new CliError("give --project OWNER/PROJECT or run inside a mic checkout", EXIT.usage);
  const project = spec ? parseProject(spec) : { owner: ws!.state.owner, project: ws!.state.project };
  const conn = connection(program, ws?.state.server);
  return { conn, project, base: projectPath(project), name: `${project.owner}/${project.project}` };
}

const checkId = (id: string) => {
  if (!/^[0-9A-Za-z]{26}$/.test(id)) throw new CliError(`not a session id: "${id}"`, EXIT.usage);
  return id.toUpperCase();
};

const from = (s: SessionJson) => (s.source ? ` (proposed from ${s.source.project})` : "");

/** `mic land SESSION [--project OWNER/PROJECT]`: lands a session of the project by its id. */
export async function landSessionById(program: Command, id: string, spec: string | undefined) {
  const { conn, project, base, name } = await projectOf(program, spec);
  const session = checkId(id);
  const landed = await naming({ conn, project, session }, () =>
    request<{ position: number; commit: string; session: SessionJson }>(
      conn,
      "POST",
      `${base}/sessions/${session}/land`,
    ),
  );
  print(
    program,
    { project: name, session, goal: landed.session.goal, position: landed.position, commit: landed.commit },
    `Landed ${session} in ${name} at position ${landed.position} (${landed.commit.slice(0, 12)}): ${landed.session.goal}${from(landed.session)}`,
  );
}

export function registerMaintain(program: Command) {
  const projectOption = [
    "--project <owner/project>",
    "the project (default: the current checkout's)",
  ] as const;

  program
    .command("sessions")
    .description(
      "a project's sessions, newest first (--status open: the ones waiting, including proposals from forks)",
    )
    .option("--status <status>", "open, landed, abandoned or rejected")
    .option("--limit <n>", "how many (1-100)", "20")
    .option(...projectOption)
    .action(async (opts: { status?: string; limit: string; project?: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw new CliError("--limit must be 1-100", EXIT.usage);
      if (opts.status && !["open", "landed", "abandoned", "rejected"].includes(opts.status))
        throw new CliError("--status must be open, landed, abandoned or rejected", EXIT.usage);
      const { conn, project, base, name } = await projectOf(program, opts.project);
      const params = new URLSearchParams({ limit: String(limit) });
      if (opts.status) params.set("status", opts.status);
      const sessions = await naming({ conn, project }, () =>
        request<SessionJson[]>(conn, "GET", `${base}/sessions?${params}`),
      );
      const lines = sessions.map(
        (s) =>
          `${s.id}  ${s.status.padEnd(9)} ${s.goal}  — ${s.author}${s.agent ? ` [${s.agent.name}]` : ""}${from(s)}`,
      );
      print(program, { project: name, sessions }, lines.length ? lines.join("\n") : `No sessions in ${name}`);
    });

  program
    .command("approve")
    .description(
      "approve someone's open session for landing (project administrators, where review is required)",
    )
    .argument("<session>", "the session id")
    .option(...projectOption)
    .action(async (id: string, opts: { project?: string }) => {
      const { conn, project, base, name } = await projectOf(program, opts.project);
      const session = checkId(id);
      const approved = await naming({ conn, project, session }, () =>
        request<SessionJson>(conn, "POST", `${base}/sessions/${session}/approve`),
      );
      print(
        program,
        { project: name, session: approved },
        `Approved ${session} in ${name}: ${approved.goal}${from(approved)}; land it with mic land ${session} --project ${name}`,
      );
    });
}
