// The MCP server at /mcp driven by the MCP SDK's own client over Streamable HTTP against a
// real forge: tokens required (401 with a Bearer challenge), a session opened, changed and
// landed end to end, a conflict as structured content, scopes refused as on the REST API,
// and a private project invisible to anyone who may not read it.

import { MCP_TOOLS } from "@micelio/core/mcp/tools";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: { text: string }[] };

describe("MCP over Streamable HTTP", () => {
  let f: TestForge;
  let roles: Roles;
  const clients: Client[] = [];

  async function connect(token: string) {
    const client = new Client({ name: "mcp-http-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL("/mcp", f.url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    clients.push(client);
    return client;
  }
  const call = async (client: Client, name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as Result;
  const ok = async (client: Client, name: string, args: Record<string, unknown>) => {
    const r = await call(client, name, args);
    expect(r.isError, r.content[0]?.text).toBeFalsy();
    return r.structuredContent!;
  };
  const app = { owner: "acme", project: "app" };

  beforeAll(async () => {
    f = await startTestForge();
    roles = await setUpRoles(f.url);
    await roles.orgProject("app");
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await f.close();
  });

  it("answers 401 with a Bearer challenge without a valid token, and never serves a password or cookie", async () => {
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: {} };
    const none = await api(f.url, "POST", "/mcp", { json: init });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer realm="Micelio"/);
    const bad = await api(f.url, "POST", "/mcp", { json: init, token: "mic_notarealtoken" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const password = await api(f.url, "POST", "/mcp", {
      json: init,
      basic: [roles.accounts.owner.handle, roles.accounts.owner.password],
    });
    expect(password.status).toBe(401);
    const client = new Client({ name: "anonymous", version: "1.0.0" });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL("/mcp", f.url)))).rejects.toThrow();
  });

  it("is documented in /skill.md (HTTP and mic mcp configuration) and the OpenAPI description", async () => {
    const skill = await (await fetch(`${f.url}/skill.md`)).text();
    expect(skill).toContain(`"url": "${f.url}/mcp"`);
    expect(skill).toContain('"args": ["mcp"]');
    const doc = (await (await fetch(`${f.url}/api/openapi.json`)).json()) as {
      info: { description: string };
      paths: object;
    };
    expect(doc.info.description).toContain("/mcp");
    expect(JSON.stringify(doc.paths)).toContain("/sync-info");
  });

  it("lists every tool with its schema and description, and the file resource template", async () => {
    const client = await connect(roles.tokens.owner!);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(MCP_TOOLS.map((t) => t.name).sort());
    const land = tools.find((t) => t.name === "land_session")!;
    expect(land.description).toContain("conflicts");
    expect(land.inputSchema.required).toEqual(expect.arrayContaining(["owner", "project", "session_id"]));
    const put = tools.find((t) => t.name === "put_changes")!;
    expect(JSON.stringify(put.inputSchema)).toContain('"text"');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain(
      "micelio://{owner}/{project}/{position}/{+path}",
    );
  });

  it("opens, changes and lands a session end to end, then reads it back every way", async () => {
    const client = await connect(roles.tokens.owner!);
    const session = await ok(client, "open_session", {
      ...app,
      goal: "Start the app",
      agent: { name: "claude-code", model: "opus" },
      prompt: { text: "Start the app", environment: { harness: "test" } },
    });
    expect(session).toMatchObject({ status: "open", base_position: 0, author: "olivia" });
    const changed = await ok(client, "put_changes", {
      ...app,
      session_id: session.id,
      changes: [
        { path: "README.md", text: "# app\n" },
        { path: "notes.txt", text: "one\ntwo\nthree\n" },
        { path: "bin/run", text: "#!/bin/sh\necho run\n", executable: true },
      ],
    });
    expect(changed.paths).toEqual(["README.md", "bin/run", "notes.txt"]);
    expect(
      await ok(client, "append_events", {
        ...app,
        session_id: session.id,
        events: [
          { kind: "prompt", text: "start the app" },
          { kind: "decision", text: "plain text notes" },
        ],
      }),
    ).toEqual({
      items: [
        { seq: 1, kind: "prompt" },
        { seq: 2, kind: "decision" },
      ],
    });
    const generated_at = new Date(Date.now() - 48 * 3_600_000).toISOString();
    const landed = await ok(client, "land_session", { ...app, session_id: session.id, generated_at });
    expect(landed).toMatchObject({ position: 1, session: { status: "landed", landed_position: 1 } });
    // An agent's session is AI-generated unless declared; two days from output to land is stale.
    expect(landed.session).toMatchObject({ origin: "ai-generated", generated_at, stale: true });

    expect(await ok(client, "read_file", { ...app, path: "notes.txt" })).toMatchObject({
      encoding: "utf-8",
      content: "one\ntwo\nthree\n",
      commit: landed.commit,
    });
    expect(await ok(client, "read_file", { ...app, path: "notes.txt", position: 1 })).toMatchObject({
      content: "one\ntwo\nthree\n",
    });
    const tree = await ok(client, "list_tree", { ...app });
    expect(tree.entries.map((e: { name: string }) => e.name)).toEqual(["bin", "README.md", "notes.txt"]);
    expect((await ok(client, "list_tree", { ...app, path: "bin" })).entries[0]).toMatchObject({
      path: "bin/run",
      mode: "100755",
    });
    const blame = await ok(client, "blame_file", { ...app, path: "notes.txt" });
    expect(JSON.stringify(blame)).toContain("Start the app");
    expect((await ok(client, "list_landings", { ...app })).items).toMatchObject([
      { position: 1, session: session.id, goal: "Start the app", author: "olivia" },
    ]);
    expect((await ok(client, "list_sessions", { ...app, status: "landed" })).items[0].id).toBe(session.id);
    expect(await ok(client, "get_session", { ...app, session_id: session.id })).toMatchObject({
      status: "landed",
      agent: { name: "claude-code", model: "opus" },
    });
    const record = await ok(client, "get_agent_record", { agent: "claude-code" });
    expect(record.inputs).toMatchObject({ landed: 1 });
    expect(record.reputation.score).toBeGreaterThan(50);
    const standing = await ok(client, "get_agent_standing", { ...app, agent: "claude-code" });
    expect(standing).toMatchObject({
      agent: "claude-code",
      landed: 1,
      tier: "small",
      checkpoints_remaining: 2,
    });
    const budget = await ok(client, "get_review_budget", { ...app });
    expect(budget).toMatchObject({ minutes_per_week: null, capacity: { over_capacity: false } });
    expect(budget.accounting.total.sessions).toBe(1);
    const quality = await ok(client, "get_quality_report", { ...app, weeks: 2 });
    expect(quality).toMatchObject({ scope: "acme/app", window: { weeks: 2 } });
    expect(quality.totals.ai).toMatchObject({ landed: 1 });
    expect((await ok(client, "get_quality_report", {})).scope).toBe("instance");
    const found = await ok(client, "search_code", { ...app, query: "two" });
    expect(found.items).toMatchObject([{ path: "notes.txt", line: 2 }]);
    expect(
      (await ok(client, "search_projects", { query: "app" })).items.map((p: any) => p.full_name),
    ).toContain("acme/app");
    const resource = await client.readResource({ uri: "micelio://acme/app/1/notes.txt" });
    expect(resource.contents[0]).toMatchObject({ text: "one\ntwo\nthree\n" });
    const head = await client.readResource({ uri: "micelio://acme/app/head/bin/run" });
    expect(head.contents[0]).toMatchObject({ text: "#!/bin/sh\necho run\n" });
  });

  it("answers a conflicting land with structured conflicts, and sync_info says the same before landing", async () => {
    const olivia = await connect(roles.tokens.owner!);
    const mia = await connect(roles.tokens.member!);
    const mine = await ok(olivia, "open_session", { ...app, goal: "Number the notes" });
    const theirs = await ok(mia, "open_session", { ...app, goal: "Shout the notes" });
    await ok(olivia, "put_changes", {
      ...app,
      session_id: mine.id,
      changes: [{ path: "notes.txt", text: "1 one\n2 two\n3 three\n" }],
    });
    await ok(mia, "put_changes", {
      ...app,
      session_id: theirs.id,
      changes: [{ path: "notes.txt", text: "ONE\nTWO\nTHREE\n" }],
    });
    const first = await ok(olivia, "land_session", { ...app, session_id: mine.id });

    const info = await ok(mia, "sync_info", { ...app, session_id: theirs.id });
    expect(info).toMatchObject({
      base_position: first.position - 1,
      head_position: first.position,
      behind: 1,
    });
    expect(info.landings.map((l: { position: number }) => l.position)).toEqual([first.position]);
    expect(info.conflicts).toEqual([
      {
        path: "notes.txt",
        position: first.position,
        session_id: mine.id,
        goal: "Number the notes",
        author: "olivia",
        agent: null,
      },
    ]);

    const refused = await call(mia, "land_session", { ...app, session_id: theirs.id });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({
      type: "https://micelio.dev/problems/land-conflict",
      status: 409,
      conflicts: [{ path: "notes.txt", position: first.position, session_id: mine.id, author: "olivia" }],
    });
    expect(refused.content[0]!.text).toContain(`notes.txt (landed at position ${first.position}`);

    // The same lines changed both ways: the forge's replay cannot merge them either.
    const sync = await call(mia, "sync_session", { ...app, session_id: theirs.id });
    expect(sync.isError).toBe(true);
    expect(sync.structuredContent).toMatchObject({ status: 409, conflicts: [{ path: "notes.txt" }] });
    expect(await ok(mia, "abandon_session", { ...app, session_id: theirs.id })).toMatchObject({
      status: "abandoned",
    });
  });

  it("refuses a tool whose scope the token lacks, as the REST API does", async () => {
    const { handle, password } = roles.accounts.owner;
    const readOnly = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [handle, password],
      json: { name: "read only", scopes: ["project:read"] },
    });
    const client = await connect(readOnly.body.token);
    expect((await ok(client, "read_file", { ...app, path: "README.md" })).content).toBe("# app\n");
    const refused = await call(client, "open_session", { ...app, goal: "not allowed" });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({
      type: "https://micelio.dev/problems/forbidden",
      status: 403,
      detail: "This token lacks the session:write scope",
    });
    // A token without project:read sees only what anonymous visitors see.
    const userOnly = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [handle, password],
      json: { name: "profile only", scopes: ["user"] },
    });
    const blind = await connect(userOnly.body.token);
    expect((await call(blind, "read_file", { ...app, path: "README.md" })).structuredContent).toMatchObject({
      status: 404,
    });
  });

  it("keeps a private project invisible to another user and visible to its members and the admin", async () => {
    const oscar = await connect(roles.tokens.other!);
    for (const [name, args] of [
      ["read_file", { ...app, path: "README.md" }],
      ["list_tree", { ...app }],
      ["blame_file", { ...app, path: "README.md" }],
      ["list_landings", { ...app }],
      ["list_sessions", { ...app }],
      ["search_code", { ...app, query: "one" }],
      ["open_session", { ...app, goal: "sneak in" }],
    ] as const) {
      const r = await call(oscar, name, args);
      expect(r.isError, name).toBe(true);
      expect(r.structuredContent, name).toMatchObject({ type: "https://micelio.dev/problems/not-found" });
    }
    expect((await ok(oscar, "search_projects", { query: "app" })).items).toEqual([]);
    await expect(oscar.readResource({ uri: "micelio://acme/app/1/README.md" })).rejects.toThrow(/not found/i);
    for (const who of ["member", "admin"] as const) {
      const client = await connect(roles.tokens[who]!);
      expect((await ok(client, "read_file", { ...app, path: "README.md" })).content).toBe("# app\n");
    }
  });
});
