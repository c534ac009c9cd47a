// `mic session comments [--kind K] [--session ID]`: the review comments on the open session
// (or any session of the checkout's project), oldest first — comments, change requests and
// prompt improvement suggestions with the prompt a reviewer would retry with. Agents read
// them before retrying (`--json` gives the API's list).
import { COMMENT_KINDS } from "@micelio/core/session-comments";
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { requireSession, requireWorkspace } from "../workspace.ts";

interface Comment {
  id: string;
  kind: string;
  author: string;
  body: string;
  path: string | null;
  line: number | null;
  suggested_prompt: string | null;
  resolved: boolean;
  created_at: string;
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");

/** One comment as a few readable lines. */
export function commentLines(c: Comment, n: number) {
  const where = c.path ? ` on ${c.path}${c.line ? `:${c.line}` : ""}` : "";
  const head = `${n}. [${c.kind}] ${c.author}${where}${c.resolved ? " (resolved)" : ""} · ${c.created_at.slice(0, 10)}`;
  const prompt = c.suggested_prompt ? `\n  suggested prompt:\n${indent(c.suggested_prompt)}` : "";
  return `${head}\n${indent(c.body)}${prompt}`;
}

export function registerComments(session: Command, program: Command) {
  session
    .command("comments")
    .description(
      "show the review comments on the open session (prompt suggestions, change requests, comments)",
    )
    .option("--kind <kind>", `only comments of this kind: ${COMMENT_KINDS.join(", ")}`)
    .option("--session <id>", "another session of this project (default: the open one)")
    .action(async (opts: { kind?: string; session?: string }) => {
      if (opts.kind !== undefined && !(COMMENT_KINDS as readonly string[]).includes(opts.kind))
        throw new CliError(`--kind must be one of ${COMMENT_KINDS.join(", ")}`, EXIT.usage);
      const ws = await requireWorkspace();
      const id = opts.session ?? requireSession(ws).id;
      const conn = connection(program, ws.state.server);
      const query = opts.kind ? `?kind=${encodeURIComponent(opts.kind)}` : "";
      const path = `${projectPath(ws.state)}/sessions/${encodeURIComponent(id)}/comments${query}`;
      const comments = await request<Comment[]>(conn, "GET", path);
      const open = comments.filter((c) => !c.resolved).length;
      const what = opts.kind ? `${opts.kind} comments` : "comments";
      const human = comments.length
        ? `${comments.length} ${what} on session ${id} (${open} open)\n${comments.map((c, i) => commentLines(c, i + 1)).join("\n")}`
        : `No ${what} on session ${id}`;
      print(program, comments, human);
    });
}
