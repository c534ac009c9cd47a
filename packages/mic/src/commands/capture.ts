// `mic session capture -- COMMAND [ARGS...]`: runs a command (an argument array, never a shell
// string), passes its output through to this terminal, and records it in the open session's
// conversation as it comes: `output` events, batched every half second or 32 KiB, in order,
// then a `status` event with how it ended. Viewers following the session (its page, the SSE
// stream, gRPC StreamEvents) see the output live. mic exits 0 when the command ran and its
// output was recorded — the command's own exit code is printed and in --json (`exit_code`);
// a command that cannot start is a usage error (1).
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, isJson, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { requireSession, requireWorkspace } from "../workspace.ts";

const FLUSH_MS = 500;
const FLUSH_BYTES = 32 * 1024;

export function registerCapture(session: Command, program: Command) {
  session
    .command("capture")
    .description(
      "run a command and stream its output into the open session's conversation (mic session capture -- npm test)",
    )
    .argument("<command...>", "the command and its arguments (after --)")
    .action(async (argv: string[]) => {
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const conn = connection(program, ws.state.server);
      const path = `${projectPath(ws.state)}/sessions/${s.id}/events`;
      let sent = 0;
      let chain: Promise<unknown> = Promise.resolve();
      const send = (events: unknown[]) => {
        chain = chain.then(() => request(conn, "POST", path, { events }).then(() => (sent += events.length)));
        return chain;
      };
      let pending = "";
      const flush = () => {
        if (!pending) return;
        const text = pending;
        pending = "";
        void send([{ kind: "output", text }]).catch(() => {});
      };
      const timer = setInterval(flush, FLUSH_MS);
      const quiet = isJson(program);
      const [command, ...args] = argv;
      const ended = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
        const child = spawn(command!, args, { stdio: ["inherit", "pipe", "pipe"], cwd: process.cwd() });
        for (const [from, to] of [
          [child.stdout, process.stdout],
          [child.stderr, process.stderr],
        ] as const) {
          const decoder = new StringDecoder("utf8");
          from.on("data", (chunk: Buffer) => {
            // With --json, stdout is mic's one JSON document: the command's output goes to stderr.
            (quiet ? process.stderr : to).write(chunk);
            pending += decoder.write(chunk);
            if (pending.length >= FLUSH_BYTES) flush();
          });
          from.on("end", () => {
            pending += decoder.end();
          });
        }
        child.on("error", (err) => reject(err));
        child.on("close", (code, signal) => resolve({ code, signal }));
      }).catch((err: NodeJS.ErrnoException) => {
        clearInterval(timer);
        throw new CliError(`cannot run ${command}: ${err.code ?? err.message}`, EXIT.usage);
      });
      clearInterval(timer);
      flush();
      const how = ended.signal ? `was killed by ${ended.signal}` : `exited with code ${ended.code}`;
      await send([{ kind: "status", status: "exited", text: `${argv.join(" ")} ${how}` }]);
      await chain;
      print(
        program,
        { session: s.id, command: argv, exit_code: ended.code, signal: ended.signal, events: sent },
        `Recorded ${sent} event(s) in ${s.id}: ${command} ${how}`,
      );
    });
}
