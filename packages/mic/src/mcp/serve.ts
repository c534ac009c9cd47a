// `mic mcp`: Micelio's MCP tools and file resources over stdio for a local agent, served by
// the MCP SDK and implemented by REST calls to the forge (rest-tools.ts). Loaded only by
// that command, so other commands do not pay for the SDK at start-up.
import { type McpServerLike, registerMicelio } from "@micelio/core/mcp/register";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Connection } from "../context.ts";
import { problemOf, restHandlers } from "./rest-tools.ts";

const INSTRUCTIONS =
  "Micelio is a forge built around sessions: open_session with a goal, put_changes to write files, append_events to record the prompt and decisions, then land_session. A conflict comes back as an error with structured conflicts; sync_info shows what landed since your base, sync_session moves the base. Read code with read_file, list_tree, blame_file and search_code; files at a trunk position are also resources micelio://OWNER/PROJECT/POSITION/PATH.";

export async function serveMcp(conn: Connection, version: string) {
  const server = new McpServer({ name: "micelio", version }, { instructions: INSTRUCTIONS });
  registerMicelio(server as unknown as McpServerLike, {
    handlers: restHandlers(conn),
    toProblem: problemOf,
    ResourceTemplate,
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  await server.connect(transport);
  process.stdin.on("end", () => void server.close());
  await closed;
}
