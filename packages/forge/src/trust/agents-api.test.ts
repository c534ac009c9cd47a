// An agent's record through the API and its page: outcomes counted from its sessions, the
// reputation moving with them, nothing from a private project shown to whoever cannot read
// it, and the formula on the page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("agents", () => {
  let f: TestForge;
  let r: Roles;

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url);
    for (const [handle, visibility] of [
      ["open", "public"],
      ["hidden", "private"],
    ]) {
      expect(
        (await r.call("owner", "POST", "/api/v1/projects", { handle, owner: "acme", visibility })).status,
      ).toBe(201);
      // The record is the subject here: no trust policy in the way (agent-policy.test.ts covers it).
      await r.call("owner", "PUT", `/api/v1/projects/acme/${handle}/agent-policy`, {
        strictness: "off",
        checkpoints: 0,
      });
    }
    const work = async (
      project: string,
      goal: string,
      files: Record<string, string>,
      end: "land" | "reject" | "abandon",
    ) => {
      const base = `/api/v1/projects/acme/${project}/sessions`;
      const s = await r.call("member", "POST", base, {
        goal,
        agent: { name: "bot", model: "m1" },
        prompt: { text: goal },
      });
      expect(s.status).toBe(201);
      const changes = Object.entries(files).map(([path, text]) => ({ path, content: b64(text) }));
      await r.call("member", "PUT", `${base}/${s.body.id}/changes`, { changes });
      if (end === "land")
        expect((await r.call("member", "POST", `${base}/${s.body.id}/land`)).status).toBe(200);
      else {
        const status = end === "reject" ? "rejected" : "abandoned";
        const res = await r.call(
          end === "reject" ? "owner" : "member",
          "POST",
          `${base}/${s.body.id}/${end === "reject" ? "reject" : "abandon"}`,
        );
        expect(res.status, `${status}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    };
    await work("open", "Document the API", { "docs/api.md": "# API\n" }, "land");
    await work("open", "Test the parser", { "test/parser.test.ts": "x\n" }, "land");
    await work("open", "Fix the crash on empty input", { "src/parse.ts": "y\n" }, "abandon");
    await work("open", "Refactor the lexer", { "src/lex.ts": "l\n" }, "reject");
    await work("hidden", "Secret feature", { "src/secret.ts": "z\n" }, "land");
  });
  afterAll(async () => {
    await f.close();
  });

  it("counts the agent's outcomes by track, in the projects the viewer can read", async () => {
    const anon = await r.call("anonymous", "GET", "/api/v1/agents/bot");
    expect(anon.status).toBe(200);
    expect(anon.body.inputs).toMatchObject({ sessions: 4, landed: 2, abandoned: 1, rejected: 1, slop: 0 });
    expect(anon.body.reputation.tracks.docs).toMatchObject({ sessions: 1 });
    expect(anon.body.reputation.tracks.tests).toMatchObject({ sessions: 1 });
    expect(anon.body.reputation.tracks.fixes).toMatchObject({ sessions: 1 });
    expect(anon.body.reputation.tracks.docs.score).toBeGreaterThan(50);
    expect(anon.body.reputation.tracks.fixes.score).toBeLessThan(50);
    expect(anon.body.reputation.tracks.features).toMatchObject({ sessions: 1 });
    expect(anon.body.reputation.tracks.features.score).toBeLessThan(50);
    expect(anon.body.by_model).toEqual([{ name: "m1", score: anon.body.reputation.score, sessions: 4 }]);
    expect(anon.body.formula).toMatchObject({ half_life_days: 30, prior: 2 });
    for (const who of ["other"] as const)
      expect((await r.call(who, "GET", "/api/v1/agents/bot")).body.inputs.sessions).toBe(4);
    for (const who of ["member", "owner", "admin"] as const) {
      const seen = await r.call(who, "GET", "/api/v1/agents/bot");
      expect(seen.body.inputs).toMatchObject({ sessions: 5, landed: 3 });
      expect(seen.body.reputation.tracks.features.sessions).toBe(2);
    }
    expect((await r.call("anonymous", "GET", "/api/v1/agents/nobody")).status).toBe(404);
  });

  it("shows an account's agents on its profile and in the API, private projects counted only for readers", async () => {
    const member = r.accounts.member.handle;
    const anon = await r.call("anonymous", "GET", `/api/v1/users/${member}/agents`);
    expect(anon.status).toBe(200);
    expect(anon.body.items).toEqual([
      {
        agent: "bot",
        reputation: (await r.call("anonymous", "GET", "/api/v1/agents/bot")).body.reputation.score,
        sessions: 4,
        landed: 2,
      },
    ]);
    expect((await r.call("owner", "GET", `/api/v1/users/${member}/agents`)).body.items[0]).toMatchObject({
      sessions: 5,
      landed: 3,
    });
    const page = {
      html: await (await fetch(`${f.url}/${member}`, { headers: { accept: "text/html" } })).text(),
    };
    expect(page.html).toContain('<h2 id="agents-title">Agents</h2>');
    expect(page.html).toContain('href="/agents/bot"');
    expect(page.html).toMatch(/4 sessions,\s*2 landed/);
    expect((await r.call("anonymous", "GET", "/api/v1/users/nobody-at-all/agents")).status).toBe(404);
  });

  it("measures token efficiency and ranks agents by tokens per landed line", async () => {
    const anon = (await r.call("anonymous", "GET", "/api/v1/agents/bot")).body;
    // Each session logs its own prompt's tokens below (beforeAll), so the figures are exact.
    expect(anon.efficiency).toMatchObject({
      tokens: 0,
      landed_lines: 2,
      tokens_per_landed_line: 0,
      wasted_tokens: 0,
      restart_loops: [],
      trend: { degrading: false },
    });
    const base = "/api/v1/projects/acme/open/sessions";
    for (const [agent, tokens] of [
      ["thrifty", 10],
      ["spendy", 500],
    ] as const) {
      const s = await r.call("member", "POST", base, {
        goal: `By ${agent}`,
        agent: { name: agent },
        prompt: { text: "go" },
      });
      await r.call("member", "POST", `${base}/${s.body.id}/events`, {
        events: [{ kind: "prompt", text: "go", tokens }],
      });
      await r.call("member", "PUT", `${base}/${s.body.id}/changes`, {
        changes: [{ path: `${agent}.txt`, content: b64("a\nb\n") }],
      });
      expect((await r.call("member", "POST", `${base}/${s.body.id}/land`)).status).toBe(200);
    }
    for (let i = 0; i < 3; i++) {
      const s = await r.call("member", "POST", base, {
        goal: "Again",
        agent: { name: "spendy" },
        prompt: { text: "again" },
      });
      await r.call("member", "POST", `${base}/${s.body.id}/events`, {
        events: [{ kind: "prompt", text: "x", tokens: 7 }],
      });
      await r.call("member", "POST", `${base}/${s.body.id}/abandon`);
    }
    const board = (await r.call("anonymous", "GET", "/api/v1/agents")).body.items;
    const names = board.map((a: { agent: string }) => a.agent);
    expect(names.indexOf("thrifty")).toBeLessThan(names.indexOf("spendy"));
    expect(board.find((a: { agent: string }) => a.agent === "spendy")).toMatchObject({
      landed: 1,
      tokens: 521,
      landed_lines: 2,
      wasted_tokens: 21,
      tokens_per_landed_line: 260.5,
    });
    const spendy = (await r.call("anonymous", "GET", "/api/v1/agents/spendy")).body.efficiency;
    expect(spendy.restart_loops).toEqual([{ goal: "Again", sessions: 3, landed: false, tokens: 21 }]);
    const page = await (await fetch(`${f.url}/agents`)).text();
    expect(page).toContain('href="/agents/thrifty"');
    expect(page.indexOf("/agents/thrifty")).toBeLessThan(page.indexOf("/agents/spendy"));
    expect(await (await fetch(`${f.url}/agents/spendy`)).text()).toContain("Restart loops");
  });

  it("shows the record and the formula on the agent's page, linked from its sessions", async () => {
    const page = await fetch(`${f.url}/agents/bot`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Reputation <strong>");
    expect(html).toContain("halved every 30 days");
    expect(html).toContain("2 landed");
    expect(html).not.toContain("Secret feature");
    const list = await r.call("anonymous", "GET", "/api/v1/projects/acme/open/sessions");
    const bots = list.body.filter((x: { agent: { name: string } | null }) => x.agent?.name === "bot");
    const session = await fetch(`${f.url}/acme/open/sessions/${bots[0].id}`);
    expect(await session.text()).toContain('href="/agents/bot"');
    expect((await fetch(`${f.url}/agents/nobody`)).status).toBe(404);
  });
});
