// `mic mcp`: serve Micelio's MCP tools over stdio (mcp/serve.ts) with the server and token
// every other command uses ($MIC_SERVER/--server, $MIC_TOKEN or the stored login).
import type { Command } from "commander";
import { connection } from "../context.ts";

export function registerMcp(program: Command) {
  program
    .command("mcp")
    .description("serve the forge's MCP tools over stdio for a local agent (uses mic's credentials)")
    .action(async () => {
      const conn = connection(program);
      const { serveMcp } = await import("../mcp/serve.ts");
      await serveMcp(conn, program.version() ?? "0.1.0");
    });
}
