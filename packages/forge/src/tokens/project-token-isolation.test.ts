// A project token cannot read or change any other project, over every API route: the test
// walks every operation of the served /api/openapi.json with a token limited to ada/alpha and
// calls it naming ada's other projects (beta, private; gamma, public): no answer succeeds or
// shows them, and nothing stored about them changes. The same project routes on alpha answer
// the token as they answer ada's full token (where its scopes reach). Git over HTTP and the
// web pages are checked too.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

type Op = { method: string; path: string; scope: string };
const SCOPES = ["project:read", "project:write", "session:write"];
/** Tables that hold what a project is and what was done in it. */
const TABLES = [
  "projects",
  "sessions",
  "session_events",
  "session_comments",
  "landings",
  "stars",
  "webhooks",
  "project_agent_policies",
  "project_review_budgets",
  "project_noise_thresholds",
  "agent_vouches",
  "api_tokens",
];
/** Bodies that would change a project if they were let through. */
const BODIES: Record<string, unknown> = {
  "PATCH /v1/projects/{owner}/{project}": { description: "changed", visibility: "public" },
  "POST /v1/projects/{owner}/{project}/sessions": { goal: "sneak in" },
  "POST /v1/projects/{owner}/{project}/sessions/{id}/events": { events: [{ type: "note", text: "x" }] },
  "PUT /v1/projects/{owner}/{project}/sessions/{id}/changes": {
    changes: [{ path: "x.txt", content: Buffer.from("x").toString("base64") }],
  },
  "POST /v1/projects/{owner}/{project}/sessions/{id}/comments": { body: "sneak in" },
  "POST /v1/projects/{owner}/{project}/forks": { owner: "ada" },
  "POST /v1/projects": { handle: "beta-copy" },
  "POST /v1/projects/{owner}/{project}/hooks": { url: "https://example.test/hook", events: ["*"] },
};

describe("a project token over every API route", () => {
  let f: TestForge;
  let full: string;
  let limited: { id: string; token: string };
  let ops: Op[];
  const ids: Record<string, Record<string, string>> = {};

  /** A call that gives up on event streams once their headers arrive (their body never ends). */
  async function as(tok: string, method: string, path: string, json?: unknown) {
    const res = await fetch(f.url + path, {
      method,
      headers: {
        authorization: `Bearer ${tok}`,
        ...(json === undefined ? {} : { "content-type": "application/json" }),
      },
      body: json === undefined || method === "GET" ? undefined : JSON.stringify(json),
      redirect: "manual",
    });
    if (res.headers.get("content-type")?.includes("text/event-stream")) {
      await res.body?.cancel();
      return { status: res.status, body: null as any };
    }
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  }
  async function fingerprint() {
    const out: Record<string, string> = {};
    for (const table of TABLES) {
      const { rows } = await sql<{ h: string | null }>`
        select md5(string_agg(r::text, ',' order by r::text)) as h
        from (select to_jsonb(t) - 'last_used_at' as r from ${sql.table(table)} t) x`.execute(f.forge.db);
      out[table] = rows[0]?.h ?? "";
    }
    return out;
  }
  function fill(path: string, project: string) {
    const own = ids[project];
    return `/api${path}?q=zebra`.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === "owner") return "ada";
      if (name === "project") return project;
      if (name === "id") return path.includes("/sessions/{id}") ? own.session : own.session;
      if (name === "comment") return own.comment;
      if (name === "org" || name === "handle" || name === "user") return "ada";
      return "x";
    });
  }

  beforeAll(async () => {
    f = await startTestForge();
    const ada = await userWithToken(f.url, "ada");
    full = ada.token;
    for (const [handle, visibility, goal] of [
      ["alpha", "private", "alpha work"],
      ["beta", "private", "zebra secret work"],
      ["gamma", "public", "zebra public work"],
    ]) {
      const p = await as(full, "POST", "/api/v1/projects", {
        handle,
        visibility,
        description: handle === "alpha" ? "ours" : `${handle} zebra`,
      });
      expect(p.status, JSON.stringify(p.body)).toBe(201);
      const s = await as(full, "POST", `/api/v1/projects/ada/${handle}/sessions`, { goal });
      expect(s.status).toBe(201);
      const c = await as(full, "POST", `/api/v1/projects/ada/${handle}/sessions/${s.body.id}/comments`, {
        body: "a remark",
      });
      expect(c.status).toBe(201);
      ids[handle] = { session: s.body.id, comment: c.body.id };
    }
    const made = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [ada.handle, ada.password],
      json: { name: "ci", scopes: SCOPES, projects: ["ada/alpha"] },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.projects).toEqual(["ada/alpha"]);
    limited = made.body;
    const doc = (await api(f.url, "GET", "/api/openapi.json")).body;
    ops = Object.entries(doc.paths as Record<string, Record<string, { "x-scope": string }>>).flatMap(
      ([path, byMethod]) =>
        Object.entries(byMethod).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          scope: op["x-scope"],
        })),
    );
  }, 120_000);
  afterAll(() => f?.close());

  it("reads and changes nothing of another project, private or public, on any route", async () => {
    const before = await fingerprint();
    let named = 0;
    for (const { method, path } of ops) {
      const key = `${method} ${path}`;
      const aboutProject = path.includes("{owner}/{project}");
      // Public routes that are about no project and change nothing of one (sign-up, device
      // flow, password reset) answer a project token as anyone: reads are still checked below.
      if (!aboutProject && method !== "GET" && !BODIES[key] && !path.startsWith("/v1/user")) continue;
      for (const other of ["beta", "gamma"]) {
        const url = fill(path, other);
        const r = await as(limited.token, method, url, BODIES[key] ?? {});
        const text = JSON.stringify(r.body ?? "");
        if (aboutProject || method !== "GET") {
          expect(
            r.status >= 400 && r.status !== 401 && r.status < 500,
            `${key} ${url}: ${r.status} ${text}`,
          ).toBe(true);
        }
        expect(text, `${key} ${url}`).not.toMatch(/zebra/);
        if (aboutProject) named++;
      }
    }
    expect(named).toBeGreaterThan(80);
    expect(await fingerprint()).toEqual(before);
  });

  it("answers on its own project as the full token does, where its scopes reach", async () => {
    let compared = 0;
    for (const { method, path, scope } of ops) {
      if (method !== "GET" || !path.includes("{owner}/{project}") || path.startsWith("/v1/admin")) continue;
      if (scope !== "public" && !SCOPES.includes(scope)) continue;
      const url = fill(path, "alpha");
      const mine = await as(limited.token, "GET", url);
      const theirs = await as(full, "GET", url);
      expect(mine.status, `${method} ${path}: ${JSON.stringify(mine.body)}`).toBe(theirs.status);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    const changed = await as(limited.token, "PATCH", "/api/v1/projects/ada/alpha", { description: "by ci" });
    expect(changed.status).toBe(200);
    const session = await as(limited.token, "POST", "/api/v1/projects/ada/alpha/sessions", {
      goal: "ci run",
    });
    expect(session.status).toBe(201);
    const listed = await as(limited.token, "GET", "/api/v1/projects");
    expect(listed.body.map((p: { full_name: string }) => p.full_name)).toEqual(["ada/alpha"]);
  });

  it("refuses account-level routes and the web pages", async () => {
    expect((await as(limited.token, "POST", "/api/v1/projects", { handle: "new-one" })).status).toBe(403);
    expect((await as(limited.token, "GET", "/api/v1/tokens")).status).toBe(403);
    expect((await as(limited.token, "GET", "/api/v1/user/orgs")).status).toBe(403);
    expect((await as(limited.token, "GET", "/api/v1/user")).status).toBe(200);
    expect((await as(limited.token, "GET", "/settings/tokens")).status).toBe(403);
  });

  it("clones its project over git and not the others", async () => {
    const basic = `Basic ${Buffer.from(`ada:${limited.token}`).toString("base64")}`;
    const refs = (p: string) =>
      fetch(`${f.url}/ada/${p}/info/refs?service=git-upload-pack`, { headers: { authorization: basic } });
    expect((await refs("alpha")).status).toBe(200);
    expect((await refs("beta")).status).toBe(404);
    expect((await refs("gamma")).status).toBe(404);
  });

  it("reaches its project over MCP and no other", async () => {
    const client = new Client({ name: "isolation-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL("/mcp", f.url), {
        requestInit: { headers: { Authorization: `Bearer ${limited.token}` } },
      }),
    );
    try {
      const call = (project: string) =>
        client.callTool({ name: "list_sessions", arguments: { owner: "ada", project } }) as Promise<{
          isError?: boolean;
          content: { text: string }[];
        }>;
      expect((await call("alpha")).isError).toBeFalsy();
      for (const other of ["beta", "gamma"]) {
        const r = await call(other);
        expect(r.isError).toBe(true);
        expect(JSON.stringify(r.content)).not.toMatch(/zebra/);
      }
      const found = (await client.callTool({ name: "search_projects", arguments: { query: "zebra" } })) as {
        content: { text: string }[];
      };
      expect(JSON.stringify(found.content)).not.toMatch(/beta|gamma/);
    } finally {
      await client.close();
    }
  });

  it("is listed with its projects, and may revoke itself", async () => {
    const listed = await as(full, "GET", "/api/v1/tokens");
    const mine = listed.body.find((t: { id: string }) => t.id === limited.id);
    expect(mine.projects).toEqual(["ada/alpha"]);
    expect(mine.last_used_at).not.toBeNull();
    const refused = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["ada", "pw-ada-secret"],
      json: { name: "too much", scopes: ["project:read", "user"], projects: ["ada/alpha"] },
    });
    expect(refused.status).toBe(400);
    expect((await as(limited.token, "DELETE", `/api/v1/tokens/${limited.id}`)).status).toBe(204);
    expect((await as(limited.token, "GET", "/api/v1/user")).status).toBe(401);
  });
});
