// Registers Micelio's MCP tools and file resources on an MCP server, whoever implements them:
// the forge (services) and mic (REST calls) pass their handlers and the way their errors
// become RFC 9457 problems, and get identical tools, results and errors. The SDK's classes
// come in as arguments: @micelio/core depends on nothing but zod.
import { FILE_RESOURCE, MCP_TOOLS, type McpChange, type McpHandlers, parseFileUri } from "./tools.ts";

/** An RFC 9457 problem document, as the forge's API answers errors. */
export interface McpProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [key: string]: unknown;
}

interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** What this module needs of the SDK's McpServer (structurally). */
export interface McpServerLike {
  registerTool(
    name: string,
    config: {
      title: string;
      description: string;
      inputSchema: object;
      annotations: { readOnlyHint: boolean; destructiveHint: boolean; openWorldHint: boolean };
    },
    cb: (args: any) => Promise<ToolResult>,
  ): unknown;
  registerResource(
    name: string,
    template: never,
    config: { title: string; description: string },
    cb: (uri: URL) => Promise<{ contents: ResourceContent[] }>,
  ): unknown;
}

type ResourceContent =
  | { uri: string; mimeType: string; text: string }
  | { uri: string; mimeType: string; blob: string };

export interface McpAdapter {
  handlers: McpHandlers;
  /** The problem an error thrown by a handler stands for. */
  toProblem(err: unknown): McpProblem;
  /** The SDK's ResourceTemplate class. */
  ResourceTemplate: new (
    template: string,
    callbacks: { list: undefined },
  ) => unknown;
}

/** A successful result: the REST API's JSON as text and as structured content. */
export function toolResult(data: unknown): ToolResult {
  const structured = (
    Array.isArray(data) ? { items: data } : data && typeof data === "object" ? data : { value: data }
  ) as Record<string, unknown>;
  return {
    content: [{ type: "text", text: JSON.stringify(structured, null, 2) }],
    structuredContent: structured,
  };
}

/** A failed call: isError, a sentence an agent can act on, and the problem document itself. */
export function problemResult(problem: McpProblem): ToolResult {
  const lines = [`${problem.title}: ${problem.detail} (${problem.type}, status ${problem.status})`];
  const conflicts = problem.conflicts;
  if (Array.isArray(conflicts)) {
    for (const c of conflicts as Record<string, unknown>[]) {
      const who = [
        c.goal ? `"${c.goal}"` : null,
        c.author ? `by ${c.author}` : null,
        c.session_id ? `session ${c.session_id}` : null,
      ]
        .filter(Boolean)
        .join(" ");
      lines.push(
        `conflict: ${c.path}${c.position ? ` (landed at position ${c.position}${who ? `: ${who}` : ""})` : ""}`,
      );
    }
  }
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: problem, isError: true };
}

/** put_changes arguments as the REST API's body: content base64, mode from executable. */
export function changesBody(changes: McpChange[]) {
  return {
    changes: changes.map((c) =>
      "delete" in c
        ? { path: c.path, delete: true as const }
        : {
            path: c.path,
            content: "text" in c ? Buffer.from(c.text, "utf8").toString("base64") : c.base64,
            ...(c.executable ? { mode: "100755" as const } : {}),
          },
    ),
  };
}

export function registerMicelio(server: McpServerLike, adapter: McpAdapter) {
  const run = async (fn: () => Promise<unknown>) => {
    try {
      return toolResult(await fn());
    } catch (err) {
      return problemResult(adapter.toProblem(err));
    }
  };
  for (const tool of MCP_TOOLS) {
    const handler = adapter.handlers[tool.name] as (args: unknown) => Promise<unknown>;
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: {
          readOnlyHint: tool.readOnly,
          destructiveHint: tool.name === "abandon_session",
          openWorldHint: false,
        },
      },
      (args) => run(() => handler(args)),
    );
  }
  const template = new adapter.ResourceTemplate(FILE_RESOURCE.template, { list: undefined }) as never;
  server.registerResource(
    FILE_RESOURCE.name,
    template,
    { title: FILE_RESOURCE.title, description: FILE_RESOURCE.description },
    async (uri) => {
      const at = parseFileUri(uri.href);
      if (!at) throw new Error(`Not a file resource: ${uri.href} (expected ${FILE_RESOURCE.template})`);
      let blob: { encoding: string; content: string };
      try {
        blob = (await adapter.handlers.read_file({
          owner: at.owner,
          project: at.project,
          path: at.path,
          ...(at.position === "head" ? {} : { position: at.position }),
        })) as { encoding: string; content: string };
      } catch (err) {
        const p = adapter.toProblem(err);
        throw new Error(`${p.title}: ${p.detail} (${p.type})`);
      }
      return {
        contents: [
          blob.encoding === "utf-8"
            ? { uri: uri.href, mimeType: "text/plain; charset=utf-8", text: blob.content }
            : { uri: uri.href, mimeType: "application/octet-stream", blob: blob.content },
        ],
      };
    },
  );
}
