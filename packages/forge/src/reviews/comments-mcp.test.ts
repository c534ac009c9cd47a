// The review comment tools at /mcp, driven by the MCP SDK's client against a real forge: a
// reviewer adds a prompt suggestion, the agent lists it (filtered by kind) as the REST API
// answers it; a private project's comments stay invisible to another user; a token without
// session:write cannot add one.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: { text: string }[] };

describe("review comments over MCP", () => {
  let f: TestForge;
  let roles: Roles;
  let session: string;
  const clients: Client[] = [];
  const app = { owner: "acme", project: "app" };

  async function connect(token: string) {
    const client = new Client({ name: "comments-mcp-test", version: "1.0.0" });
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

  beforeAll(async () => {
    f = await startTestForge();
    roles = await setUpRoles(f.url);
    const made = await roles.call("owner", "POST", "/api/v1/projects", {
      ...app,
      handle: "app",
      visibility: "private",
    });
    expect(made.status).toBe(201);
    session = (await roles.call("member", "POST", "/api/v1/projects/acme/app/sessions", { goal: "Try" })).body
      .id;
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await f.close();
  });

  it("adds a prompt suggestion and lists it for the agent, as the REST API does", async () => {
    const olivia = await connect(roles.tokens.owner!);
    const added = await call(olivia, "add_session_comment", {
      ...app,
      session_id: session,
      kind: "prompt-suggestion",
      body: "Say which tests must pass",
      suggested_prompt: "Make `npm test` pass without touching the tests",
    });
    expect(added.isError, added.content[0]?.text).toBeFalsy();
    expect(added.structuredContent).toMatchObject({ kind: "prompt-suggestion", author: "olivia" });
    await call(olivia, "add_session_comment", { ...app, session_id: session, body: "Nice start" });

    const mia = await connect(roles.tokens.member!);
    const listed = await call(mia, "list_session_comments", {
      ...app,
      session_id: session,
      kind: "prompt-suggestion",
    });
    expect(listed.isError).toBeFalsy();
    const rest = await roles.call(
      "member",
      "GET",
      `/api/v1/projects/acme/app/sessions/${session}/comments?kind=prompt-suggestion`,
    );
    expect(listed.structuredContent).toEqual({ items: rest.body });
    expect(listed.structuredContent!.items).toHaveLength(1);
    expect(listed.structuredContent!.items[0].suggested_prompt).toBe(
      "Make `npm test` pass without touching the tests",
    );
    const all = await call(mia, "list_session_comments", { ...app, session_id: session });
    expect(all.structuredContent!.items).toHaveLength(2);
  });

  it("hides a private project's comments from another user", async () => {
    const oscar = await connect(roles.tokens.other!);
    for (const [name, args] of [
      ["list_session_comments", { ...app, session_id: session }],
      ["add_session_comment", { ...app, session_id: session, body: "let me in" }],
    ] as const) {
      const r = await call(oscar, name, args);
      expect(r.isError, name).toBe(true);
      expect(r.structuredContent, name).toMatchObject({ type: "https://micelio.dev/problems/not-found" });
    }
  });

  it("refuses add_session_comment to a token without session:write", async () => {
    const { handle, password } = roles.accounts.member;
    const readOnly = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [handle, password],
      json: { name: "read only", scopes: ["project:read"] },
    });
    const client = await connect(readOnly.body.token);
    expect(
      (await call(client, "list_session_comments", { ...app, session_id: session })).isError,
    ).toBeFalsy();
    const refused = await call(client, "add_session_comment", { ...app, session_id: session, body: "x" });
    expect(refused.structuredContent).toMatchObject({
      status: 403,
      detail: "This token lacks the session:write scope",
    });
  });
});
