// `mic session start|note|log-event|show|comments`: open a session on the checkout's trunk position
// and write to its conversation (the record of why the change was made).

import type { Command } from "commander";
import { fetchTrunk, positionOf } from "../checkout.ts";
import { request } from "../client.ts";
import { connection, isJson, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { git, gitOut, showProgress } from "../git.ts";
import { clearClosed, serverStatus } from "../heal.ts";
import { print } from "../output.ts";
import { collect, integer, type PromptOptions, promptRequest, readText } from "../prompt-options.ts";
import { headCommit, requireSession, requireWorkspace, saveState } from "../workspace.ts";
import { registerArtifact } from "./artifact.ts";
import { registerSessionAttestation } from "./attest.ts";
import { registerCapture } from "./capture.ts";
import { registerComments } from "./comments.ts";

interface StartOptions extends PromptOptions {
  agent?: string;
  model?: string;
  agentVersion?: string;
  origin?: string;
  depth?: string;
  context: string[];
}

export function registerSession(program: Command) {
  const session = program
    .command("session")
    .description("open a session and record its conversation (prompts, decisions, notes)");

  session
    .command("start")
    .description("open a session for a goal on trunk's head (the checkout is fast-forwarded when it can be)")
    .argument("<goal>", "what the change is for, at most 500 characters")
    .option("--agent <name>", "the agent doing the work (default: $MIC_AGENT)")
    .option("--model <model>", "the agent's model (default: $MIC_MODEL)")
    .option("--agent-version <version>", "the agent's version")
    .option("--origin <origin>", "human, ai-assisted or ai-generated (default: ai-generated with an agent)")
    .option("--prompt <text>", "the prompt the agent works from (required with an agent)")
    .option("--prompt-file <file>", "read the prompt from a file (- for stdin; default: $MIC_PROMPT_FILE)")
    .option("--system-prompt-file <file>", "the agent's system prompt, from a file")
    .option("--env <key=value>", "where the agent runs (harness, tools, …); repeatable", collect, [])
    .option("--cost <usd>", "what producing the change cost, in USD")
    .option("--execution-ms <ms>", "how long the agent worked, in milliseconds")
    .option("--revises <session>", "the session whose prompt this one revises")
    .option("--template <id>", "the project's prompt template this prompt started from")
    .option("--depth <n>", "the generation depth to declare (0 person, 1 agent on a person's request, …)")
    .option("--context <session>", "a session whose output this work acts on; repeatable", collect, [])
    .action(async (goal: string, opts: StartOptions) => {
      const ws = await requireWorkspace();
      const conn = connection(program, ws.state.server);
      if (ws.state.session) {
        const status = await serverStatus(ws, conn);
        if (status === "open")
          throw new CliError(
            `session ${ws.state.session.id} is open here ("${ws.state.session.goal}"): land or abandon it first`,
            EXIT.usage,
            { session: ws.state.session.id },
          );
        process.stderr.write(`mic: ${clearClosed(ws, status ?? "closed")}\n`);
      }
      const trunk = await fetchTrunk(ws, conn, showProgress(isJson(program)));
      let head = await headCommit(ws.root);
      if (trunk && head !== trunk) {
        // Catch up with trunk when git can do it without touching local edits.
        const ff = await git(["merge", "--ff-only", "--quiet", trunk], { cwd: ws.root, okCodes: [1, 128] });
        if (ff.code === 0) head = await headCommit(ws.root);
      }
      const baseCommit = head && trunk ? await gitOut(["merge-base", head, trunk], { cwd: ws.root }) : null;
      const base = await positionOf(ws, conn, baseCommit);
      const name = opts.agent ?? process.env.MIC_AGENT;
      const model = opts.model ?? process.env.MIC_MODEL;
      const prompt = promptRequest(opts);
      if (name && !prompt)
        throw new CliError(
          "an agent's session carries its prompt: give --prompt TEXT or --prompt-file FILE (or set MIC_PROMPT_FILE)",
          EXIT.usage,
        );
      const body = {
        goal,
        base,
        ...(name ? { agent: { name, model, version: opts.agentVersion } } : {}),
        ...(opts.origin ? { origin: opts.origin } : {}),
        ...(prompt ? { prompt } : {}),
        ...(opts.depth !== undefined ? { generation_depth: integer(opts.depth, "--depth") } : {}),
        ...(opts.context.length ? { context_sessions: opts.context } : {}),
      };
      const created = await request<{
        id: string;
        goal: string;
        base_position: number;
        base_commit: string | null;
      }>(conn, "POST", `${projectPath(ws.state)}/sessions`, body);
      ws.state.session = {
        id: created.id,
        goal: created.goal,
        base_position: created.base_position,
        base_commit: created.base_commit,
      };
      saveState(ws.gitDir, ws.state);
      const behind = trunk && baseCommit !== trunk ? " (trunk has moved on: mic sync catches up)" : "";
      print(program, created, `Session ${created.id} started on position ${created.base_position}${behind}`);
    });

  session
    .command("note")
    .description("add a note to the session's conversation")
    .argument("<text>", "the note")
    .option("--decision", "record it as a decision (decisions go into the landing commit's message)")
    .option("--role <role>", "who speaks in a plain note: user, assistant or system", "user")
    .action(async (text: string, opts: { decision?: boolean; role: string }) => {
      const event = opts.decision ? { kind: "decision", text } : { kind: "message", role: opts.role, text };
      const appended = await appendEvents(program, [event]);
      print(program, { session: appended.session, events: appended.events }, `Noted in ${appended.session}`);
    });

  session
    .command("log-event")
    .description(
      "append any conversation events (prompt, message, decision, tool_call, status, progress, output, error, artifact) from a JSON file; usage: mic session log-event --json FILE|-",
    )
    .argument("<file>", "JSON file holding one event, an array of events, or {events: [...]}; - reads stdin")
    .action(async (file: string) => {
      const text = readText(file);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new CliError(
          `${file === "-" ? "stdin" : file} is not JSON: ${(err as Error).message}`,
          EXIT.usage,
        );
      }
      const events = Array.isArray(data) ? data : ((data as { events?: unknown[] })?.events ?? [data]);
      const appended = await appendEvents(program, events);
      print(program, appended, `Appended ${appended.events.length} event(s) to ${appended.session}`);
    });

  session
    .command("show")
    .description("show the open session and its conversation")
    .action(async () => {
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const conn = connection(program, ws.state.server);
      const path = `${projectPath(ws.state)}/sessions/${s.id}`;
      const [info, events] = await Promise.all([
        request<Record<string, unknown>>(conn, "GET", path),
        request<{ seq: number; kind: string; text?: string; role?: string }[]>(conn, "GET", `${path}/events`),
      ]);
      const lines = events.map(
        (e) => `  ${e.seq}. ${e.kind}${e.role ? ` (${e.role})` : ""}${e.text ? `: ${e.text}` : ""}`,
      );
      print(
        program,
        { ...info, events },
        `Session ${s.id}: ${s.goal}\nbase position ${info.base_position}, ${info.status}\n${lines.join("\n")}`,
      );
    });

  registerComments(session, program);
  registerSessionAttestation(session, program);
  registerCapture(session, program);
  registerArtifact(session, program);
}

async function appendEvents(program: Command, events: unknown[]) {
  const ws = await requireWorkspace();
  const s = requireSession(ws);
  const conn = connection(program, ws.state.server);
  const appended = await request<{ seq: number; kind: string }[]>(
    conn,
    "POST",
    `${projectPath(ws.state)}/sessions/${s.id}/events`,
    { events },
  );
  return { session: s.id, events: appended };
}
