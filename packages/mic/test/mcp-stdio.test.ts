// `mic mcp` driven by the MCP SDK's own client over stdio (the real mic bundle as a child
// process, MIC_SERVER and MIC_TOKEN in its environment) against a real forge: a session
// opened, changed and landed; a conflict as structured content; scopes refused; a private
// project invisible without a token or to another user.
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BUNDLE = join(import.meta.dirname, "..", "dist", "mic.mjs");
type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: { text: string }[] };

describe("mic mcp over stdio", () => {
  let f: TestForge;
  let alice: string;
  let bob: string;
  const clients: Client[] = [];
  const app = { owner: "alice", project: "app" };

  async function connect(token: string | undefined) {
    const client = new Client({ name: "mic-mcp-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BUNDLE, "mcp"],
        env: {
          PATH: process.env.PATH ?? "",
          MIC_SERVER: f.url,
          MIC_TOKEN: token ?? "",
          MIC_CONFIG_DIR: "/nonexistent",
        },
        stderr: "pipe",
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

  beforeAll(async () => {
    f = await startTestForge();
    alice = (await userWithToken(f.url, "alice")).token;
    bob = (await userWithToken(f.url, "bob")).token;
    const made = await api(f.url, "POST", "/api/v1/projects", {
      token: alice,
      json: { handle: "app", visibility: "private" },
    });
    expect(made.status).toBe(201);
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await f.close();
  });

  it("opens, changes and lands a session, and a conflicting land comes back as structured conflicts", async () => {
    const client = await connect(alice);
    const first = await ok(client, "open_session", {
      ...app,
      goal: "Start",
      agent: { name: "local-agent" },
      prompt: { text: "Start" },
    });
    await ok(client, "put_changes", {
      ...app,
      session_id: first.id,
      changes: [{ path: "notes.txt", text: "one\ntwo\n" }],
    });
    await ok(client, "append_events", {
      ...app,
      session_id: first.id,
      events: [{ kind: "prompt", text: "go" }],
    });
    expect(await ok(client, "land_session", { ...app, session_id: first.id })).toMatchObject({ position: 1 });
    expect(await ok(client, "read_file", { ...app, path: "notes.txt", position: 1 })).toMatchObject({
      content: "one\ntwo\n",
    });
    const resource = await client.readResource({ uri: "micelio://alice/app/head/notes.txt" });
    expect(resource.contents[0]).toMatchObject({ text: "one\ntwo\n" });

    const a = await ok(client, "open_session", { ...app, goal: "Number" });
    const b = await ok(client, "open_session", { ...app, goal: "Shout" });
    await ok(client, "put_changes", {
      ...app,
      session_id: a.id,
      changes: [{ path: "notes.txt", text: "1\n2\n" }],
    });
    await ok(client, "put_changes", {
      ...app,
      session_id: b.id,
      changes: [{ path: "notes.txt", text: "ONE\n" }],
    });
    await ok(client, "land_session", { ...app, session_id: a.id });
    expect((await ok(client, "sync_info", { ...app, session_id: b.id })).conflicts).toMatchObject([
      { path: "notes.txt", position: 2, session_id: a.id, goal: "Number", author: "alice" },
    ]);
    const refused = await call(client, "land_session", { ...app, session_id: b.id });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({
      type: "https://micelio.dev/problems/land-conflict",
      conflicts: [{ path: "notes.txt", position: 2, session_id: a.id, author: "alice" }],
    });
  });

  it("refuses what the token's scopes do not allow", async () => {
    const readOnly = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["alice", "pw-alice-secret"],
      json: { name: "read", scopes: ["project:read"] },
    });
    const client = await connect(readOnly.body.token);
    expect((await ok(client, "list_landings", app)).items).toHaveLength(2);
    const r = await call(client, "open_session", { ...app, goal: "no" });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toMatchObject({
      type: "https://micelio.dev/problems/forbidden",
      status: 403,
    });
  });

  it("keeps a private project invisible to another user and without a token", async () => {
    for (const token of [bob, undefined]) {
      const client = await connect(token);
      const r = await call(client, "read_file", { ...app, path: "notes.txt" });
      expect(r.isError).toBe(true);
      expect(r.structuredContent).toMatchObject({
        type: "https://micelio.dev/problems/not-found",
        status: 404,
      });
      expect((await ok(client, "search_projects", { query: "app" })).items).toEqual([]);
    }
  });
});
