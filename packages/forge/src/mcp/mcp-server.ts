// One MCP server for one request's viewer: Micelio's tools and file resources
// (@micelio/core/mcp) over the forge's services (mcp-tools.ts). The SDK is loaded on the
// first MCP request, not at start-up.
import { type McpProblem, type McpServerLike, registerMicelio } from "@micelio/core/mcp/register";
import type { Viewer } from "../accounts/viewer.ts";
import { API_VERSION } from "../api/api.ts";
import { AppError } from "../errors/app-error.ts";
import { internalProblem, toProblem } from "../errors/problem.ts";
import type { Forge } from "../http/context.ts";
import type { Logger } from "../ops/logger.ts";
import { forgeHandlers } from "./mcp-tools.ts";

export const MCP_INSTRUCTIONS =
  "Micelio is a forge built around sessions: open_session with a goal, put_changes to write files, append_events to record the prompt and decisions, then land_session. A conflict comes back as an error with structured conflicts; sync_info shows what landed since your base, sync_session moves the base. Read code with read_file, list_tree, blame_file and search_code; files at a trunk position are also resources micelio://OWNER/PROJECT/POSITION/PATH.";

/** An error from a service as the problem document the REST API would answer. */
export function problemOf(err: unknown, log: Logger): McpProblem {
  if (err instanceof AppError) return toProblem(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code)) {
    return toProblem(new AppError("invalid", "The request holds a value that cannot be stored or looked up"));
  }
  log.error({ err }, "MCP tool failed");
  return internalProblem();
}

export async function mcpServerFor(forge: Forge, viewer: Viewer, log: Logger) {
  const { McpServer, ResourceTemplate } = await import("@modelcontextprotocol/sdk/server/mcp.js");
  const server = new McpServer({ name: "micelio", version: API_VERSION }, { instructions: MCP_INSTRUCTIONS });
  registerMicelio(server as unknown as McpServerLike, {
    handlers: forgeHandlers(forge, viewer),
    toProblem: (err) => problemOf(err, log),
    ResourceTemplate,
  });
  return server;
}
