// Prompt requests and the agent policy through the API: an agent's session must carry its
// prompt; the prompt's fields, lineage (revises) and generation depth are recorded and shown;
// a project's depth cap refuses deeper sessions; with agent_landing "review" an agent's land
// marks the session ready for review until an administrator approves it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const agent = { name: "coder", model: "m-1" };

describe("prompt requests", () => {
  let f: TestForge;
  let r: Roles;
  const base = "/api/v1/projects/acme/app";
  const open = (json: Record<string, unknown>, who: "member" | "owner" = "member") =>
    r.call(who, "POST", `${base}/sessions`, { goal: "A change", ...json });

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
    const created = await r.call("owner", "POST", "/api/v1/projects", { handle: "app", owner: "acme" });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await f.close();
  });

  it("requires an agent's session to carry its prompt", async () => {
    const res = await open({ agent });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "prompt.text" })]);
    const human = await open({});
    expect(human.status).toBe(201);
    expect(human.body).toMatchObject({ prompt: null, generation_depth: 0 });
  });

  it("records the prompt request and its lineage", async () => {
    const first = await open({ agent, prompt: { text: "Fix the parser" } });
    expect(first.status).toBe(201);
    const prompt = {
      text: "Fix the parser; keep the tests",
      system: "You are careful.",
      environment: { harness: "mic", tools: 3, sandboxed: true },
      cost_usd: 0.0425,
      execution_ms: 93_000,
      revises: first.body.id,
    };
    const second = await open({ agent, prompt });
    expect(second.status).toBe(201);
    const read = await r.call("other", "GET", `${base}/sessions/${second.body.id}`);
    expect(read.body.prompt).toEqual({ ...prompt, model: "m-1", template: null });
    expect(read.body.generation_depth).toBe(1);
    const unknown = await open({ agent, prompt: { text: "x", revises: "0".repeat(26) } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe("prompt.revises");
  });

  it("refuses a revision or context from another project", async () => {
    await r.call("owner", "POST", "/api/v1/projects", { handle: "other", owner: "acme" });
    const elsewhere = await r.call("member", "POST", "/api/v1/projects/acme/other/sessions", {
      goal: "Elsewhere",
    });
    const res = await open({ agent, prompt: { text: "x" }, context_sessions: [elsewhere.body.id] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe("context_sessions");
  });

  it("derives the generation depth from the AI sessions acted on, and caps it per project", async () => {
    const human = await open({});
    const one = await open({ agent, prompt: { text: "a" }, context_sessions: [human.body.id] });
    expect(one.body.generation_depth).toBe(1);
    const two = await open({ agent, prompt: { text: "b" }, context_sessions: [one.body.id, human.body.id] });
    expect(two.body.generation_depth).toBe(2);
    const declared = await open({ agent, prompt: { text: "c" }, generation_depth: 4 });
    expect(declared.body.generation_depth).toBe(4);
    const byHuman = await open({ context_sessions: [two.body.id] });
    expect(byHuman.body.generation_depth).toBe(0);

    const patched = await r.call("owner", "PATCH", base, { max_generation_depth: 2 });
    expect(patched.status).toBe(200);
    expect(patched.body.agents).toMatchObject({ landing: "land", max_generation_depth: 2 });
    const three = await open({ agent, prompt: { text: "d" }, context_sessions: [two.body.id] });
    expect(three.status).toBe(403);
    expect(three.body).toMatchObject({
      type: "https://micelio.dev/problems/generation-depth-exceeded",
      generation_depth: 3,
      max_generation_depth: 2,
    });
    expect((await open({ agent, prompt: { text: "e" }, context_sessions: [one.body.id] })).status).toBe(201);
    await r.call("owner", "PATCH", base, { max_generation_depth: null });
  });

  it("holds an agent's session that passed the gate for review when the project says so", async () => {
    expect((await r.call("owner", "PATCH", base, { agent_landing: "review" })).body.agents.landing).toBe(
      "review",
    );
    const s = (await open({ agent, prompt: { text: "Add a readme" } })).body;
    const put = (path: string) =>
      r.call("member", "PUT", `${base}/sessions/${s.id}/changes`, {
        changes: [{ path, content: b64("hello\n") }],
      });
    await put("README.md");
    const land = () => r.call("member", "POST", `${base}/sessions/${s.id}/land`);
    const held = await land();
    expect(held.status).toBe(409);
    expect(held.body.type).toBe("https://micelio.dev/problems/review-required");
    expect(held.body.ready_for_review_at).toEqual(expect.any(String));
    const queue = await r.call("anonymous", "GET", `${base}/sessions?review=ready`);
    expect(queue.body.map((x: { id: string }) => x.id)).toEqual([s.id]);

    await put("NOTES.md"); // new work: no longer ready until the next land
    expect((await r.call("anonymous", "GET", `${base}/sessions?review=ready`)).body).toEqual([]);
    expect((await land()).status).toBe(409);

    expect((await r.call("member", "POST", `${base}/sessions/${s.id}/approve`)).status).toBe(403);
    expect((await r.call("owner", "POST", `${base}/sessions/${s.id}/approve`)).status).toBe(200);
    const landed = await land();
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    expect((await r.call("anonymous", "GET", `${base}/sessions?review=ready`)).body).toEqual([]);

    const human = (await open({})).body;
    await r.call("member", "PUT", `${base}/sessions/${human.id}/changes`, {
      changes: [{ path: "human.txt", content: b64("h\n") }],
    });
    expect((await r.call("member", "POST", `${base}/sessions/${human.id}/land`)).status).toBe(200);

    // From the session page: the administrator approves or rejects with the forms.
    const viaPage = (await open({ agent, prompt: { text: "Via the page" } })).body;
    const page = `/acme/app/sessions/${viaPage.id}`;
    expect((await r.browsers.owner.get(page)).html).toContain("Approve for landing");
    expect((await r.browsers.member.get(page)).html).not.toContain("Approve for landing");
    const approved = await r.browsers.owner.submit(page, `${page}/approve`, {});
    expect(approved.status).toBe(303);
    expect((await r.call("anonymous", "GET", `${base}/sessions/${viaPage.id}`)).body.approved_by).toBe(
      "olivia",
    );
    expect((await r.call("member", "POST", `${base}/sessions/${viaPage.id}/reject`, {})).status).toBe(403);
    const rejected = await r.browsers.owner.submit(page, `${page}/reject`, { reason: "Out of scope" });
    expect(rejected.status).toBe(303);
    expect((await r.call("anonymous", "GET", `${base}/sessions/${viaPage.id}`)).body).toMatchObject({
      status: "rejected",
      status_reason: "Out of scope",
    });
    const forged = await r.browsers.owner.submit(page, `${page}/approve`, {}, { csrf: "forged" });
    expect(forged.status).toBe(403);

    // Another agent: the rejection above cools "coder" off (trust/agent-policy.ts).
    const byAdmin = (await open({ agent: { name: "second" }, prompt: { text: "Another" } })).body;
    await r.call("member", "PUT", `${base}/sessions/${byAdmin.id}/changes`, {
      changes: [{ path: "admin.txt", content: b64("a\n") }],
    });
    expect((await r.call("owner", "POST", `${base}/sessions/${byAdmin.id}/land`)).status).toBe(200);
  });
});
