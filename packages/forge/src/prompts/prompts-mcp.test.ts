// The prompt tools of the MCP server at /mcp, driven by the MCP SDK's client against a real
// forge: list_prompt_templates and search_prompts (one project, or every project the token's
// user may read) answer what the REST API answers; a private project stays invisible.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: { text: string }[] };

describe("MCP prompt tools", () => {
  let f: TestForge;
  let r: Roles;
  const clients: Client[] = [];

  async function connect(token: string) {
    const client = new Client({ name: "prompts-mcp-test", version: "1.0.0" });
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
    r = await setUpRoles(f.url);
    for (const [handle, visibility] of [
      ["app", "public"],
      ["vault", "private"],
    ])
      await r.call("owner", "POST", "/api/v1/projects", { owner: "acme", handle, visibility });
    await r.call("owner", "POST", "/api/v1/projects/acme/vault/prompt-templates", {
      id: "add-test",
      kind: "test",
      title: "Add a test",
      body: "Write a test for {{function}}",
    });
    for (const [project, text] of [
      ["app", "Speed up the tokenizer"],
      ["vault", "Harden the tokenizer against VAULT input"],
    ])
      await r.call("member", "POST", `/api/v1/projects/acme/${project}/sessions`, {
        goal: "Tokenizer",
        agent: { name: "coder" },
        prompt: { text, ...(project === "vault" ? { template: "add-test" } : {}) },
      });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await f.close();
  });

  it("lists templates and searches prompts as the REST API does", async () => {
    const member = await connect(r.tokens.member!);
    const tools = (await member.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(["search_prompts", "list_prompt_templates"]));
    const templates = await call(member, "list_prompt_templates", { owner: "acme", project: "vault" });
    expect(templates.isError, templates.content[0]?.text).toBeFalsy();
    expect(templates.structuredContent!.items).toEqual([
      expect.objectContaining({ id: "add-test", kind: "test", placeholders: ["function"] }),
    ]);
    const one = await call(member, "search_prompts", {
      owner: "acme",
      project: "vault",
      query: "TOKENIZER",
      full: true,
    });
    expect(one.structuredContent).toMatchObject({
      items: [
        { project: "acme/vault", template: "add-test", text: "Harden the tokenizer against VAULT input" },
      ],
      counts: { open: 1 },
    });
    const everywhere = await call(member, "search_prompts", { query: "tokenizer" });
    expect(everywhere.structuredContent!.items.map((i: { project: string }) => i.project).sort()).toEqual([
      "acme/app",
      "acme/vault",
    ]);
    const half = await call(member, "search_prompts", { owner: "acme" });
    expect(half.isError).toBe(true);
  });

  it("keeps a private project's prompts and templates from other users", async () => {
    const other = await connect(r.tokens.other!);
    const everywhere = await call(other, "search_prompts", { query: "tokenizer" });
    expect(everywhere.structuredContent!.items.map((i: { project: string }) => i.project)).toEqual([
      "acme/app",
    ]);
    expect(JSON.stringify(everywhere)).not.toContain("VAULT");
    for (const [name, args] of [
      ["search_prompts", { owner: "acme", project: "vault" }],
      ["list_prompt_templates", { owner: "acme", project: "vault" }],
    ] as const) {
      const res = await call(other, name, args);
      expect(res.isError, name).toBe(true);
      expect(res.content[0]!.text, name).not.toContain("VAULT");
      expect(res.structuredContent?.status ?? JSON.parse(res.content[0]!.text).status, name).toBe(404);
    }
  });
});
