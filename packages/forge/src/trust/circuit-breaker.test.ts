// The agents' circuit breaker: administrators pause and resume agents' contributions (API and
// settings page, audited); while paused, agents' sessions neither open nor land and people's
// go on; the breaker trips by itself at the project's threshold of failed validations of
// agents' sessions in an hour.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishRun, startRun } from "../checks/validation-store.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";
import { noteAgentFailure } from "./circuit-breaker.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const agent = { name: "bot" };

describe("agents' circuit breaker", () => {
  let f: TestForge;
  let r: Roles;
  const base = "/api/v1/projects/acme/app";
  const open = (json: Record<string, unknown> = {}) =>
    r.call("member", "POST", `${base}/sessions`, { goal: "Work", ...json });

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
    expect((await r.call("owner", "POST", "/api/v1/projects", { handle: "app", owner: "acme" })).status).toBe(
      201,
    );
    await r.call("owner", "PUT", "/api/v1/projects/acme/app/agent-policy", { checkpoints: 0 });
  });
  afterAll(async () => {
    await f.close();
  });

  it("pauses agents, not people, until an administrator resumes them", async () => {
    const early = (await open({ agent, prompt: { text: "early" } })).body;
    await r.call("member", "PUT", `${base}/sessions/${early.id}/changes`, {
      changes: [{ path: "early.txt", content: b64("e\n") }],
    });
    expect((await r.call("member", "POST", `${base}/agents/pause`, {})).status).toBe(403);
    const paused = await r.call("owner", "POST", `${base}/agents/pause`, { reason: "Too noisy today" });
    expect(paused.status).toBe(200);
    expect(paused.body.agents.paused).toMatchObject({ by: "olivia", reason: "Too noisy today" });

    const refused = await open({ agent, prompt: { text: "x" } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      type: "https://micelio.dev/problems/agents-paused",
      paused_by: "olivia",
      reason: "Too noisy today",
    });
    expect((await r.call("member", "POST", `${base}/sessions/${early.id}/land`)).status).toBe(403);
    expect((await open()).status).toBe(201); // a person's session

    const audit = await r.call("owner", "GET", `/api/v1/projects/acme/app/audit?action=project.agents_*`);
    expect(JSON.stringify(audit.body)).toContain("project.agents_pause");

    expect((await r.call("owner", "POST", `${base}/agents/resume`)).body.agents.paused).toBeNull();
    expect((await r.call("member", "POST", `${base}/sessions/${early.id}/land`)).status).toBe(200);
  });

  it("pauses and resumes from the settings page", async () => {
    const settings = "/acme/app/settings";
    expect((await r.browsers.owner.get(settings)).html).toContain("Pause agents");
    const done = await r.browsers.owner.submit(settings, `${settings}/agents/pause`, { reason: "Reviewing" });
    expect(done.status).toBe(303);
    const page = (await r.browsers.owner.get(settings)).html;
    expect(page).toContain("Agents&#39; contributions: paused");
    expect(page).toContain("Reviewing");
    expect((await r.browsers.member.submit(settings, `${settings}/agents/resume`, {})).status).not.toBe(303);
    expect((await r.browsers.owner.submit(settings, `${settings}/agents/resume`, {})).status).toBe(303);
    expect((await r.call("anonymous", "GET", base)).body.agents.paused).toBeNull();
  });

  it("trips by itself at the project's threshold of failed agents' validations in an hour", async () => {
    const patched = await r.call("owner", "PATCH", base, { circuit_max_failures: 2 });
    expect(patched.body.agents.circuit_max_failures).toBe(2);
    const project = patched.body.id as string;
    const s = (await open({ agent, prompt: { text: "fails" } })).body;
    const fail = async () => {
      const { id } = await startRun(f.forge.db, {
        projectId: project,
        sessionId: s.id,
        sessionCommit: "0".repeat(40),
        trunkCommit: null,
        trunkPosition: 1,
        configBlob: "1".repeat(40),
        trigger: "changes",
        provider: "bwrap",
        minScore: 100,
      });
      await finishRun(f.forge.db, id, { status: "failed", scores: null, shortfalls: [] }, []);
      return noteAgentFailure(f.forge.db, project);
    };
    expect(await fail()).toBe(false);
    expect((await r.call("anonymous", "GET", base)).body.agents.paused).toBeNull();
    expect(await fail()).toBe(true);
    const after = (await r.call("anonymous", "GET", base)).body.agents.paused;
    expect(after).toMatchObject({ by: "circuit-breaker" });
    expect(after.reason).toContain("2 failed validations");
    expect(await fail()).toBe(false); // already open: trips once
    expect((await open({ agent, prompt: { text: "x" } })).status).toBe(403);
  });
});
