// The MCP endpoint, /mcp: Streamable HTTP in stateless mode (a server and a transport per
// POST, JSON answers, no server-sent streams), for callers with a personal access token only
// (Authorization: Bearer). Without a valid token the answer is 401 with a Bearer challenge.
// The token's scopes are enforced per tool (mcp-tools.ts), and rate limits apply as for the
// API. Mounted before the application's own authentication, so it authenticates here.
import { Hono } from "hono";
import { AppError } from "../errors/app-error.ts";
import { errorResponse } from "../errors/handler.tsx";
import { authenticate } from "../http/authenticate.ts";
import type { AppEnv } from "../http/context.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { mcpServerFor } from "./mcp-server.ts";

/** Largest JSON-RPC body, as the JSON API's. */
export const MCP_MAX_BODY = 1024 * 1024;

const challenge = (error?: "invalid_token") =>
  `Bearer realm="Micelio"${error ? `, error="${error}", error_description="The token is invalid or has expired"` : ""}`;

export const mcpHttp = new Hono<AppEnv>();

mcpHttp.use("*", authenticate(), rateLimit());

mcpHttp.post("/", async (c) => {
  if (c.get("authVia") !== "token") {
    throw new AppError(
      "unauthorized",
      "The MCP server needs a personal access token: Authorization: Bearer mic_…",
      {
        headers: { "WWW-Authenticate": challenge() },
      },
    );
  }
  const { WebStandardStreamableHTTPServerTransport } = await import(
    "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
  );
  const server = await mcpServerFor(c.get("forge"), c.get("viewer"), c.get("log"));
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MCP_MAX_BODY,
  });
  try {
    await server.connect(transport);
    return await transport.handleRequest(c.req.raw);
  } finally {
    await server.close();
  }
});

// Stateless: no server-sent stream to open (GET) and no session to end (DELETE).
mcpHttp.on(["GET", "DELETE"], "/", (c) =>
  c.json(
    {
      jsonrpc: "2.0",
      error: { code: -32000, message: "Method not allowed: POST JSON-RPC messages" },
      id: null,
    },
    405,
    { Allow: "POST" },
  ),
);

// A bad or missing credential gets the Bearer challenge (the application's own says Basic).
mcpHttp.onError((err, c) => {
  if (err instanceof AppError && err.kind === "unauthorized") {
    const headers = { ...(err.details.headers as Record<string, string> | undefined) };
    headers["WWW-Authenticate"] = challenge(c.req.header("authorization") ? "invalid_token" : undefined);
    return errorResponse(c, new AppError("unauthorized", err.message, { ...err.details, headers }));
  }
  return errorResponse(c, err);
});
