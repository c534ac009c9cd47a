// mic's implementation of the MCP tools (@micelio/core/mcp/tools): each is the REST call its
// tool mirrors, with mic's credentials (the token decides what the forge shows and allows,
// exactly as for /mcp on the forge). Errors are the forge's problem documents.
import { changesBody, type McpProblem } from "@micelio/core/mcp/register";
import type { McpHandlers } from "@micelio/core/mcp/tools";
import { request } from "../client.ts";
import { type Connection, projectPath } from "../context.ts";
import { CliError } from "../exit-codes.ts";

const enc = (p: string) =>
  p
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .map(encodeURIComponent)
    .join("/");

const query = (q: Record<string, string | number | boolean | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : "";
};

function problem(status: number, kind: string, title: string, detail: string): McpProblem {
  return { type: `https://micelio.dev/problems/${kind}`, title, status, detail };
}

/** A thrown CliError carries the forge's problem document; anything else is mic's own failure. */
export function problemOf(err: unknown): McpProblem {
  if (err instanceof CliError) {
    const d = err.details as Partial<McpProblem>;
    if (typeof d.type === "string" && typeof d.status === "number")
      return { ...d, title: d.title ?? "Error", detail: d.detail ?? err.message } as McpProblem;
    return problem(503, "unavailable", "Forge unreachable", err.message);
  }
  return problem(500, "internal", "mic failed", err instanceof Error ? err.message : String(err));
}

export function restHandlers(conn: Connection): McpHandlers {
  const get = <T = unknown>(path: string) => request<T>(conn, "GET", path);
  const base = (a: { owner: string; project: string }) => projectPath(a);
  const session = (a: { owner: string; project: string; session_id: string }) =>
    `${base(a)}/sessions/${encodeURIComponent(a.session_id)}`;
  /** The ref to read at: trunk by default, or the commit a trunk position names. */
  async function refOf(a: { owner: string; project: string; ref?: string; position?: number }) {
    if (a.ref !== undefined && a.position !== undefined)
      throw new CliError("Give ref or position, not both", 1, {
        ...problem(400, "invalid", "Invalid request", "Give ref or position, not both"),
      });
    if (a.position === undefined) return enc(a.ref ?? "main");
    const rows = await get<{ position: number; commit: string }[]>(
      `${base(a)}/landings${query({ before: a.position + 1, limit: 1 })}`,
    );
    if (rows[0]?.position !== a.position) {
      const detail = `No landing at position ${a.position}`;
      throw new CliError(detail, 2, { ...problem(404, "not-found", "Not found", detail) });
    }
    return rows[0].commit;
  }
  return {
    search_projects: (a) =>
      get(`/api/v1/search/projects${query({ q: a.query, sort: a.sort, limit: a.limit, cursor: a.cursor })}`),
    search_code: (a) =>
      get(
        `${base(a)}/search/code${query({ q: a.query, regex: a.regex, ignore_case: a.ignore_case, ref: a.ref, limit: a.limit })}`,
      ),
    read_file: async (a) => get(`${base(a)}/blob/${await refOf(a)}/${enc(a.path)}`),
    list_tree: async (a) => {
      const path = enc(a.path ?? "");
      return get(`${base(a)}/tree/${await refOf(a)}${path ? `/${path}` : ""}`);
    },
    blame_file: async (a) =>
      get(`${base(a)}/blame/${await refOf(a)}/${enc(a.path)}${query({ content: a.content })}`),
    list_landings: (a) => get(`${base(a)}/landings${query({ before: a.before, limit: a.limit })}`),
    list_sessions: (a) =>
      get(
        `${base(a)}/sessions${query({ status: a.status, origin: a.origin, agent: a.agent, before: a.before, limit: a.limit })}`,
      ),
    get_session: (a) => get(session(a)),
    open_session: ({ owner, project, ...body }) =>
      request(conn, "POST", `${base({ owner, project })}/sessions`, body),
    append_events: (a) => request(conn, "POST", `${session(a)}/events`, { events: a.events }),
    put_changes: (a) => request(conn, "PUT", `${session(a)}/changes`, changesBody(a.changes)),
    land_session: (a) =>
      request(
        conn,
        "POST",
        `${session(a)}/land`,
        a.generated_at ? { generated_at: a.generated_at } : undefined,
      ),
    list_validations: (a) => get(`${session(a)}/validations`),
    list_session_comments: (a) => get(`${session(a)}/comments${query({ kind: a.kind, after: a.after })}`),
    add_session_comment: ({ owner, project, session_id, ...body }) =>
      request(conn, "POST", `${session({ owner, project, session_id })}/comments`, body),
    sync_info: (a) => get(`${session(a)}/sync-info`),
    sync_session: (a) =>
      request(conn, "POST", `${session(a)}/sync`, a.base === undefined ? {} : { base: a.base }),
    abandon_session: (a) => request(conn, "POST", `${session(a)}/abandon`),
    search_prompts: async ({ owner, project, query: q, full, ...rest }) => {
      const params = query({ q, ...rest, full: full === undefined ? undefined : String(full) });
      if (owner === undefined && project === undefined) return get(`/api/v1/prompts${params}`);
      if (!owner || !project) {
        const detail = "Give both owner and project, or neither (every project)";
        throw new CliError(detail, 1, { ...problem(400, "invalid", "Invalid request", detail) });
      }
      return get(`${base({ owner, project })}/prompts${params}`);
    },
    list_prompt_templates: (a) => get(`${base(a)}/prompt-templates`),
    get_agent_record: (a) => get(`/api/v1/agents/${encodeURIComponent(a.agent)}`),
    get_agent_standing: (a) =>
      get(
        `${base(a)}/agents/${encodeURIComponent(a.agent)}/standing${a.account ? `?account=${encodeURIComponent(a.account)}` : ""}`,
      ),
    get_review_budget: (a) => get(`${base(a)}/review-budget${a.weeks ? `?weeks=${a.weeks}` : ""}`),
    get_quality_report: ({ owner, project, weeks }) => {
      if (owner === undefined && project === undefined) return get(`/api/v1/quality${query({ weeks })}`);
      if (!owner || !project) {
        const detail = "Give both owner and project, or neither (every project)";
        throw new CliError(detail, 1, { ...problem(400, "invalid", "Invalid request", detail) });
      }
      return get(`${base({ owner, project })}/quality${query({ weeks })}`);
    },
  };
}
