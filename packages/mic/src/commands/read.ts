// Reading trunk without a checkout: `mic log`, `mic show POSITION|SESSION`, `mic blame PATH`,
// `mic cat PATH`, `mic ls [PATH]`. The project comes from --project or the current checkout;
// --at takes a trunk position (a number) or any ref (branch, tag, commit).
import type { Command } from "commander";
import { request } from "../client.ts";
import { type Connection, connection, parseProject, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { findWorkspace } from "../workspace.ts";

interface Landing {
  position: number;
  commit: string;
  goal: string | null;
  author: string | null;
  agent: { name: string; model: string | null } | null;
  session: string | null;
  landed_at: string;
}

async function target(program: Command, projectOpt?: string) {
  const ws = projectOpt ? null : await findWorkspace();
  if (!projectOpt && !ws)
    throw new CliError("give --project OWNER/PROJECT or run inside a mic checkout", EXIT.usage);
  const project = projectOpt
    ? parseProject(projectOpt)
    : { owner: ws!.state.owner, project: ws!.state.project };
  const conn = connection(program, ws?.state.server);
  return { conn, base: projectPath(project), project };
}

async function landingAt(conn: Connection, base: string, position: number): Promise<Landing> {
  const rows = await request<Landing[]>(conn, "GET", `${base}/landings?before=${position + 1}&limit=1`);
  if (!rows[0] || rows[0].position !== position)
    throw new CliError(`no landing at position ${position}`, EXIT.notFound);
  return rows[0];
}

/** --at as a ref for the API: a position becomes its landing commit. */
async function refFor(conn: Connection, base: string, at: string | undefined) {
  if (!at) return "main";
  if (/^\d+$/.test(at)) return (await landingAt(conn, base, Number(at))).commit;
  return at;
}

const encodePath = (p: string) =>
  p
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .map(encodeURIComponent)
    .join("/");

const agentText = (a: Landing["agent"]) => (a ? ` [${a.name}${a.model ? `:${a.model}` : ""}]` : "");

export function registerRead(program: Command) {
  const projectOption = [
    "--project <owner/project>",
    "the project (default: the current checkout's)",
  ] as const;

  program
    .command("log")
    .description("trunk's landings, newest first: position, goal, author, agent")
    .option("--limit <n>", "how many (1-200)", "20")
    .option(...projectOption)
    .action(async (opts: { limit: string; project?: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw new CliError("--limit must be 1-200", EXIT.usage);
      const { conn, base } = await target(program, opts.project);
      const landings = await request<Landing[]>(conn, "GET", `${base}/landings?limit=${limit}`);
      const lines = landings.map(
        (l) =>
          `${String(l.position).padStart(5)}  ${l.commit.slice(0, 10)}  ${l.goal ?? "(no session)"}  — ${l.author ?? "unknown"}${agentText(l.agent)}`,
      );
      print(program, { landings }, lines.length ? lines.join("\n") : "No landings yet");
    });

  program
    .command("show")
    .description("a landing (by position) or a session (by id): goal, author, agent, files, conversation")
    .argument("<position-or-session>", "a trunk position such as 12, or a session id")
    .option(...projectOption)
    .action(async (what: string, opts: { project?: string }) => {
      const { conn, base } = await target(program, opts.project);
      const landing = /^\d+$/.test(what) ? await landingAt(conn, base, Number(what)) : null;
      const sessionId = landing ? landing.session : what;
      const session = sessionId
        ? await request<Record<string, unknown>>(
            conn,
            "GET",
            `${base}/sessions/${encodeURIComponent(sessionId)}`,
          )
        : null;
      const events = sessionId
        ? await request<{ kind: string; text?: string; role?: string }[]>(
            conn,
            "GET",
            `${base}/sessions/${encodeURIComponent(sessionId)}/events`,
          )
        : [];
      const commitSha = landing?.commit ?? (session?.landed_commit as string | null | undefined);
      const commit = commitSha
        ? await request<{ files?: { path: string; status: string }[] }>(
            conn,
            "GET",
            `${base}/commits/${commitSha}`,
          )
        : null;
      const files = commit?.files?.map((f) => ({ path: f.path, status: f.status })) ?? [];
      const human = [
        landing ? `Position ${landing.position}  ${landing.commit}` : `Session ${what}`,
        session
          ? `Goal: ${session.goal}\nAuthor: ${session.author}${agentText(session.agent as Landing["agent"])}\nStatus: ${session.status}`
          : "",
        files.length ? `Files:\n${files.map((f) => `  ${f.status.padEnd(9)} ${f.path}`).join("\n")}` : "",
        events.length
          ? `Conversation:\n${events.map((e) => `  ${e.kind}${e.role ? ` (${e.role})` : ""}${e.text ? `: ${e.text}` : ""}`).join("\n")}`
          : "",
      ].filter(Boolean);
      print(program, { landing, session, files, events }, human.join("\n"));
    });

  program
    .command("blame")
    .description("who changed each line: landing position, session and author")
    .argument("<path>", "a file path in the project")
    .option("--at <position|ref>", "a trunk position or a ref (default: main)")
    .option(...projectOption)
    .action(async (path: string, opts: { at?: string; project?: string }) => {
      const { conn, base } = await target(program, opts.project);
      const ref = await refFor(conn, base, opts.at);
      const blame = await request<{
        lines: {
          line: number;
          content?: string;
          position: number | null;
          session_id: string | null;
          commit: string;
        }[];
        hunks: {
          start: number;
          end: number;
          landing: { session: { author: string; goal: string } | null } | null;
        }[];
      }>(conn, "GET", `${base}/blame/${encodeURIComponent(ref)}/${encodePath(path)}`);
      const who = new Map<number, string>();
      for (const h of blame.hunks)
        for (let n = h.start; n <= h.end; n++) who.set(n, h.landing?.session?.author ?? "");
      const lines = blame.lines.map(
        (l) =>
          `${(l.position === null ? "-" : `#${l.position}`).padStart(6)} ${(who.get(l.line) ?? "").padEnd(12).slice(0, 12)} ${String(l.line).padStart(5)}  ${l.content ?? ""}`,
      );
      print(program, blame, lines.join("\n"));
    });

  program
    .command("cat")
    .description("print a file from trunk (or --at a position or ref)")
    .argument("<path>", "a file path in the project")
    .option("--at <position|ref>", "a trunk position or a ref (default: main)")
    .option(...projectOption)
    .action(async (path: string, opts: { at?: string; project?: string }) => {
      const { conn, base } = await target(program, opts.project);
      const ref = await refFor(conn, base, opts.at);
      const blob = await request<{ content: string; encoding: "utf-8" | "base64" }>(
        conn,
        "GET",
        `${base}/blob/${encodeURIComponent(ref)}/${encodePath(path)}`,
      );
      if (program.opts().json) print(program, blob, "");
      else
        process.stdout.write(blob.encoding === "base64" ? Buffer.from(blob.content, "base64") : blob.content);
    });

  program
    .command("ls")
    .description("list a directory of trunk (or --at a position or ref)")
    .argument("[path]", "a directory in the project (default: the root)", "")
    .option("--at <position|ref>", "a trunk position or a ref (default: main)")
    .option(...projectOption)
    .action(async (path: string, opts: { at?: string; project?: string }) => {
      const { conn, base } = await target(program, opts.project);
      const ref = await refFor(conn, base, opts.at);
      const dir = encodePath(path);
      const tree = await request<{ entries: { name: string; type: string; path: string }[] }>(
        conn,
        "GET",
        `${base}/tree/${encodeURIComponent(ref)}${dir ? `/${dir}` : ""}`,
      );
      print(
        program,
        tree,
        tree.entries.map((e) => `${e.type === "tree" ? `${e.name}/` : e.name}`).join("\n") || "(empty)",
      );
    });
}
