// Reading trunk without a checkout: `mic log`, `mic show POSITION|SESSION`, `mic blame PATH`,
// `mic cat PATH`, `mic ls [PATH]`. The project comes from --project or the current checkout;
// --at takes a trunk position (a number) or any ref (branch, tag, commit).
import type { Command } from "commander";
import { request } from "../client.ts";
import { type Connection, connection, parseProject, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { naming, type Subject } from "../subject.ts";
import { findWorkspace } from "../workspace.ts";

interface Landing {
  position: number;
  commit: string;
  goal: string | null;
  author: string | null;
  agent: { name: string; model: string | null } | null;
  session: string | null;
  /** Set when the session belongs to another project (a fork's inherited landings: its parent). */
  session_project?: string | null;
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
  const base = projectPath(project);
  /** Runs a request whose 404 names this project (and `about`'s path, ref or session). */
  const named = <T>(about: Omit<Subject, "conn" | "project">, call: () => Promise<T>) =>
    naming({ conn, project, ...about }, call);
  return { conn, base, project, named };
}

async function landingAt(conn: Connection, base: string, position: number): Promise<Landing> {
  const rows = await request<Landing[]>(conn, "GET", `${base}/landings?before=${position + 1}&limit=1`);
  if (!rows[0] || rows[0].position !== position) {
    const { head_position: head } = await request<{ head_position: number }>(conn, "GET", base);
    const name = decodeURIComponent(base.split("/").slice(-2).join("/"));
    throw new CliError(
      `no landing at position ${position} in ${name} on ${conn.server}: trunk's head is at position ${head} (mic log --project ${name})`,
      EXIT.notFound,
      { position, head_position: head, project: name, server: conn.server },
    );
  }
  return rows[0];
}

/** --at as a ref for the API: a position becomes its landing commit; none is trunk's HEAD. */
async function refFor(conn: Connection, base: string, at: string | undefined) {
  if (!at) return "HEAD";
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

interface BlameDoc {
  lines: {
    line: number;
    content?: string;
    commit: string;
    position: number | null;
    session_id: string | null;
  }[];
  hunks: {
    start: number;
    end: number;
    position: number | null;
    landing: {
      position: number;
      session: {
        id: string;
        goal: string;
        author: string;
        agent: { name: string; model: string | null } | null;
        project?: string | null;
      } | null;
    } | null;
    commits: string[];
  }[];
  commits: Record<string, { sha: string; author: { name: string }; summary: string }>;
}

/** Why each line is there: its landing's session (goal, author, agent) or, before any landing, its commit. */
function attribute(blame: BlameDoc, project: string) {
  const byLine = new Map<number, { goal: string | null; author: string | null; agent: string | null }>();
  const headers: { start: number; text: string }[] = [];
  for (const h of blame.hunks) {
    const s = h.landing?.session;
    const c = blame.commits[h.commits[0] ?? ""];
    const why = s
      ? { goal: s.goal, author: s.author, agent: s.agent ? agentText(s.agent).trim().slice(1, -1) : null }
      : { goal: c?.summary ?? null, author: c?.author.name ?? null, agent: null };
    for (let n = h.start; n <= h.end; n++) byLine.set(n, why);
    const where = h.landing
      ? `#${h.landing.position}${s ? ` ${s.author}${agentText(s.agent)} session ${s.id}${s.project && s.project !== project ? ` in ${s.project}` : ""}` : " (session deleted)"}`
      : `${(c?.sha ?? "").slice(0, 10)} ${c?.author.name ?? ""} (no landing)`;
    headers.push({ start: h.start, text: `${where}: ${why.goal ?? ""}` });
  }
  return { byLine, headers };
}

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
      const { conn, base, named } = await target(program, opts.project);
      const landings = await named({}, () =>
        request<Landing[]>(conn, "GET", `${base}/landings?limit=${limit}`),
      );
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
      const { conn, base, named } = await target(program, opts.project);
      const landing = /^\d+$/.test(what) ? await named({}, () => landingAt(conn, base, Number(what))) : null;
      const sessionId = landing ? landing.session : what;
      // A fork's inherited landings belong to sessions of the project it was forked from.
      const home = landing?.session_project ? projectPath(parseProject(landing.session_project)) : base;
      const sessionPath = `${home}/sessions/${encodeURIComponent(sessionId ?? "")}`;
      const session = sessionId
        ? await named({ session: sessionId }, () =>
            request<Record<string, unknown>>(conn, "GET", sessionPath),
          )
        : null;
      const events = sessionId
        ? await named({ session: sessionId }, () =>
            request<{ kind: string; text?: string; role?: string }[]>(conn, "GET", `${sessionPath}/events`),
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
    .description("why each line is there: the landing position, session goal, author and agent")
    .argument("<path>", "a file path in the project")
    .option("--at <position|ref>", "a trunk position or a ref (default: trunk's HEAD)")
    .option(...projectOption)
    .action(async (path: string, opts: { at?: string; project?: string }) => {
      const { conn, base, named, project } = await target(program, opts.project);
      const ref = await named({ ref: opts.at }, () => refFor(conn, base, opts.at));
      const blame = await named({ path, ref: opts.at }, () =>
        request<BlameDoc>(conn, "GET", `${base}/blame/${encodeURIComponent(ref)}/${encodePath(path)}`),
      );
      const { byLine, headers } = attribute(blame, `${project.owner}/${project.project}`);
      const width = String(blame.lines.length).length;
      const human: string[] = [];
      for (const l of blame.lines) {
        const header = headers.find((h) => h.start === l.line);
        if (header) human.push(header.text);
        human.push(`  ${String(l.line).padStart(width)}  ${l.content ?? ""}`);
      }
      const lines = blame.lines.map((l) => ({ ...l, ...byLine.get(l.line) }));
      print(program, { ...blame, lines }, human.join("\n"));
    });

  program
    .command("cat")
    .description("print a file from trunk (or --at a position or ref)")
    .argument("<path>", "a file path in the project")
    .option("--at <position|ref>", "a trunk position or a ref (default: trunk's HEAD)")
    .option(...projectOption)
    .action(async (path: string, opts: { at?: string; project?: string }) => {
      const { conn, base, named } = await target(program, opts.project);
      const ref = await named({ ref: opts.at }, () => refFor(conn, base, opts.at));
      const blob = await named({ path, ref: opts.at }, () =>
        request<{ content: string; encoding: "utf-8" | "base64" }>(
          conn,
          "GET",
          `${base}/blob/${encodeURIComponent(ref)}/${encodePath(path)}`,
        ),
      );
      if (program.opts().json) print(program, blob, "");
      else
        process.stdout.write(blob.encoding === "base64" ? Buffer.from(blob.content, "base64") : blob.content);
    });

  program
    .command("ls")
    .description("list a directory of trunk (or --at a position or ref)")
    .argument("[path]", "a directory in the project (default: the root)", "")
    .option("--at <position|ref>", "a trunk position or a ref (default: trunk's HEAD)")
    .option(...projectOption)
    .action(async (path: string, opts: { at?: string; project?: string }) => {
      const { conn, base, named } = await target(program, opts.project);
      const ref = await named({ ref: opts.at }, () => refFor(conn, base, opts.at));
      const dir = encodePath(path);
      const tree = await named({ path, ref: opts.at }, () =>
        request<{ entries: { name: string; type: string; path: string }[] }>(
          conn,
          "GET",
          `${base}/tree/${encodeURIComponent(ref)}${dir ? `/${dir}` : ""}`,
        ),
      );
      print(
        program,
        tree,
        tree.entries.map((e) => `${e.type === "tree" ? `${e.name}/` : e.name}`).join("\n") || "(empty)",
      );
    });
}
