// A project's agent policy against a real forge: read by readers and changed by
// administrators (API and settings page, audited); human checkpoints for a new agent until
// approved or vouched for; tiers' size limits; quotas, cooling-off and backoff refused with
// problem+json and Retry-After; near-duplicate prompts and changes; cascade approval; and the
// administrators' own agents outside the policy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishRun, startRun } from "../checks/validation-store.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const P = "https://micelio.dev/problems/";

describe("agent policy", () => {
  let f: TestForge;
  let r: Roles;
  let n = 0;
  const project = async () => {
    const handle = `p${++n}`;
    const made = await r.call("owner", "POST", "/api/v1/projects", { handle, owner: "acme" });
    expect(made.status).toBe(201);
    return { base: `/api/v1/projects/acme/${handle}`, id: made.body.id as string, handle };
  };
  const open = (base: string, agent: string, prompt: string, extra: Record<string, unknown> = {}) =>
    r.call("member", "POST", `${base}/sessions`, {
      goal: prompt,
      agent: { name: agent },
      prompt: { text: prompt },
      ...extra,
    });
  /** Opens an agent's session as mia, uploads files, and asks to land it. */
  const attempt = async (base: string, agent: string, prompt: string, files: Record<string, string>) => {
    const s = await open(base, agent, prompt);
    expect(s.status).toBe(201);
    const changes = Object.entries(files).map(([path, text]) => ({ path, content: b64(text) }));
    expect((await r.call("member", "PUT", `${base}/sessions/${s.body.id}/changes`, { changes })).status).toBe(
      200,
    );
    return {
      id: s.body.id as string,
      land: await r.call("member", "POST", `${base}/sessions/${s.body.id}/land`),
    };
  };
  const policy = (base: string, body: Record<string, unknown>) =>
    r.call("owner", "PUT", `${base}/agent-policy`, body);

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it("is read by readers, changed by administrators only, and audited", async () => {
    const { base } = await project();
    const got = await r.call("anonymous", "GET", `${base}/agent-policy`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ strictness: "standard", checkpoints: 3, cascade_approval: true });
    expect(got.body.tiers.small).toEqual({ min_passed: 0, max_lines: 200, max_files: 10 });
    expect((await r.call("member", "PUT", `${base}/agent-policy`, { checkpoints: 1 })).status).toBe(403);
    const bad = await policy(base, { tiers: { small: { max_lines: -1 } } });
    expect(bad.status).toBe(400);
    const put = await policy(base, {
      strictness: "strict",
      checkpoints: 1,
      quotas: { small: { day: null } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ strictness: "strict", checkpoints: 1, updated_by: "olivia" });
    expect(put.body.quotas.small).toEqual({ day: null, week: 50 });
    expect(put.body.overrides).toEqual({ checkpoints: 1, quotas: { small: { day: null } } });
    const again = await policy(base, { backoff: null });
    expect(again.body.checkpoints).toBe(1); // earlier overrides stay
    expect(again.body.backoff).toBeNull();
    const reset = await policy(base, { reset: true });
    expect(reset.body).toMatchObject({ strictness: "strict", checkpoints: 3, overrides: {} });
    expect(reset.body.backoff).toEqual({ after_failures: 2, base_minutes: 15, max_minutes: 2880 });
    const audit = await r.call("owner", "GET", `${base}/audit?action=project.agent_policy_update`);
    expect(audit.body).toHaveLength(3);
  });

  it("holds a new agent's first contributions for a person, then lets it land", async () => {
    const { base } = await project();
    await policy(base, { checkpoints: 2 });
    const first = await attempt(base, "newbie", "Add a", { "a.txt": "a\n" });
    expect(first.land.status).toBe(409);
    expect(first.land.body).toMatchObject({
      type: `${P}review-required`,
      rules: [{ rule: "checkpoint", checkpoints: 2, landed: 0 }],
    });
    expect(first.land.body.ready_for_review_at).toBeTruthy();
    const queue = await r.call("owner", "GET", `${base}/sessions?review=ready`);
    expect(queue.body.map((s: { id: string }) => s.id)).toContain(first.id);
    expect((await r.call("owner", "POST", `${base}/sessions/${first.id}/approve`)).status).toBe(200);
    expect((await r.call("member", "POST", `${base}/sessions/${first.id}/land`)).status).toBe(200);
    const second = await attempt(base, "newbie", "Add b", { "b.txt": "b\n" });
    expect(second.land.body.rules[0]).toMatchObject({ rule: "checkpoint", landed: 1 });
    // An administrator landing it is the review.
    expect((await r.call("owner", "POST", `${base}/sessions/${second.id}/land`)).status).toBe(200);
    const third = await attempt(base, "newbie", "Add c", { "c.txt": "c\n" });
    expect(third.land.status).toBe(200);
    const standing = await r.call("member", "GET", `${base}/agents/newbie/standing`);
    expect(standing.body).toMatchObject({
      account: "mia",
      landed: 3,
      checkpoints_remaining: 0,
      tier: "small",
    });
    // The owner's own agent is outside the policy.
    const own = await r.call("owner", "POST", `${base}/sessions`, {
      goal: "Own",
      agent: { name: "mine" },
      prompt: { text: "own" },
    });
    await r.call("owner", "PUT", `${base}/sessions/${own.body.id}/changes`, {
      changes: [{ path: "o.txt", content: b64("o\n") }],
    });
    expect((await r.call("owner", "POST", `${base}/sessions/${own.body.id}/land`)).status).toBe(200);
  });

  it("waives the checkpoints of an agent a trusted member vouches for, audited", async () => {
    const { base, handle } = await project();
    const vouch = { account: "mia", tier: "large", note: "Known good" };
    // mia has no landings of her own here: not trusted; nor may anyone vouch for their own agent.
    expect(
      (await r.call("member", "POST", `${base}/agents/helper/vouch`, { account: "olivia" })).status,
    ).toBe(403);
    const given = await r.call("owner", "POST", `${base}/agents/helper/vouch`, vouch);
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({
      account: "mia",
      agent: "helper",
      tier: "large",
      vouched_by: "olivia",
    });
    const big = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, `${i}\n`]));
    const landed = await attempt(base, "helper", "Twelve files", big); // over small's 10 files
    expect(landed.land.status).toBe(200);
    const standing = await r.call("anonymous", "GET", `${base}/agents/helper/standing?account=mia`);
    expect(standing.body).toMatchObject({ tier: "large", earned_tier: "small", checkpoints_remaining: 0 });
    expect(standing.body.vouch).toMatchObject({ by: "olivia", tier: "large" });
    const page = await r.browsers.owner.get(`/acme/${handle}/settings/agent-policy`);
    expect(page.html).toContain("Known good");
    const withdrawn = await r.call("owner", "DELETE", `${base}/agents/helper/vouch?account=mia`);
    expect(withdrawn.status).toBe(204);
    for (const action of ["project.agent_vouch", "project.agent_unvouch"]) {
      const audit = await r.call("owner", "GET", `${base}/audit?action=${action}`);
      expect(audit.body).toEqual([
        expect.objectContaining({ action, data: expect.objectContaining({ agent: "helper" }) }),
      ]);
    }
  });

  it("refuses a change too large for the agent's tier, and lets a sandbox agent validate but not land", async () => {
    const { base } = await project();
    await policy(base, { checkpoints: 0, tiers: { small: { max_lines: 3 } } });
    const big = await attempt(base, "wordy", "Long file", { "long.txt": "1\n2\n3\n4\n5\n" });
    expect(big.land.status).toBe(403);
    expect(big.land.body).toMatchObject({
      type: `${P}change-too-large`,
      tier: "small",
      lines: 5,
      files: 1,
      max_lines: 3,
      next_tier: { tier: "large", min_passed: 5 },
    });
    await policy(base, { tiers: { small: { min_passed: 1 } } });
    const sandboxed = await attempt(base, "fresh", "One line", { "one.txt": "1\n" });
    expect(sandboxed.land.status).toBe(403);
    expect(sandboxed.land.body).toMatchObject({ type: `${P}tier-insufficient`, tier: "sandbox", needed: 1 });
  });

  it("refuses past the tier's quota, with when to retry", async () => {
    const { base } = await project();
    await policy(base, { quotas: { small: { day: 2 } } });
    expect((await open(base, "eager", "one")).status).toBe(201);
    expect((await open(base, "eager", "two different words")).status).toBe(201);
    const third = await open(base, "eager", "a third thing entirely");
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({
      type: `${P}submission-quota`,
      rule: "quotas.small.day",
      limit: 2,
      used: 2,
    });
    expect(third.body.retry_after).toBeGreaterThan(86_000);
    expect(third.headers.get("retry-after")).toBe(String(third.body.retry_after));
    expect((await open(base, "other-agent", "not counted against eager")).status).toBe(201);
  });

  it("cools an agent off after a rejection and backs off after failed validations", async () => {
    const { base, id: projectId } = await project();
    await policy(base, { cooling_off_minutes: 30, backoff: { after_failures: 2, base_minutes: 10 } });
    const s = (await open(base, "sloppy", "first try")).body;
    expect((await r.call("owner", "POST", `${base}/sessions/${s.id}/reject`, { reason: "No" })).status).toBe(
      200,
    );
    const cooled = await open(base, "sloppy", "second try");
    expect(cooled.status).toBe(429);
    expect(cooled.body).toMatchObject({ type: `${P}cooling-off`, cooling_off_minutes: 30 });
    expect(cooled.body.retry_after).toBeGreaterThan(29 * 60);

    const t = (await open(base, "flaky", "flaky work")).body;
    const fail = async () => {
      const { id } = await startRun(f.forge.db, {
        projectId,
        sessionId: t.id,
        sessionCommit: "0".repeat(40),
        trunkCommit: null,
        trunkPosition: 0,
        configBlob: "1".repeat(40),
        trigger: "changes",
        provider: "bwrap",
        minScore: 100,
      });
      await finishRun(f.forge.db, id, { status: "failed", scores: null, shortfalls: [] }, []);
    };
    await fail();
    expect((await open(base, "flaky", "more flaky work")).status).toBe(201);
    await fail();
    const backed = await open(base, "flaky", "even more flaky work");
    expect(backed.status).toBe(429);
    expect(backed.body).toMatchObject({ type: `${P}validation-backoff`, failures: 2 });
    expect(backed.body.retry_after).toBeGreaterThan(9 * 60);
    const upload = await r.call("member", "PUT", `${base}/sessions/${t.id}/changes`, {
      changes: [{ path: "x.txt", content: b64("x\n") }],
    });
    expect(upload.status).toBe(429);
    await fail();
    const longer = await open(base, "flaky", "yet more flaky work");
    expect(longer.body.retry_after).toBeGreaterThan(19 * 60); // doubled
  });

  it("refuses near-duplicate prompts and changes from another agent, not a revision of one's own", async () => {
    const { base } = await project();
    await policy(base, { checkpoints: 0 });
    const prompt = "Fix the off-by-one error in the pagination helper of the list view";
    const a = await open(base, "alpha", prompt);
    expect(a.status).toBe(201);
    const dup = await open(base, "beta", `${prompt}.`);
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ type: `${P}near-duplicate`, kind: "prompt", similar_to: a.body.id });
    expect(dup.body.similarity).toBeGreaterThanOrEqual(0.9);
    expect((await open(base, "alpha", `${prompt}!`, {})).status).toBe(201); // the same agent again
    const body = Array.from({ length: 30 }, (_, i) => `export const value${i} = ${i * 7};`).join("\n");
    const first = await attempt(base, "gamma", "Add the constants table", { "src/a.ts": body });
    expect(first.land.status).toBe(200);
    const copy = await attempt(base, "delta", "Write out numbered values", {
      "lib/b.ts": `${body}\n// copy`,
    });
    expect(copy.land.status).toBe(409);
    expect(copy.land.body).toMatchObject({ type: `${P}near-duplicate`, kind: "diff", similar_to: first.id });
    const other = await attempt(base, "delta", "Something else", { "lib/c.ts": "const unrelated = true;\n" });
    expect(other.land.status).toBe(200);
  });

  it("asks a person to approve an agent acting on AI-generated context", async () => {
    const { base } = await project();
    await policy(base, { checkpoints: 0 });
    const source = await attempt(base, "writer", "Draft the notes", { "notes.md": "notes\n" });
    expect(source.land.status).toBe(200);
    const s = await open(base, "reader", "Act on the notes", { context_sessions: [source.id] });
    expect(s.body.generation_depth).toBe(2);
    await r.call("member", "PUT", `${base}/sessions/${s.body.id}/changes`, {
      changes: [{ path: "act.txt", content: b64("act\n") }],
    });
    const land = await r.call("member", "POST", `${base}/sessions/${s.body.id}/land`);
    expect(land.status).toBe(409);
    expect(land.body.rules).toEqual([expect.objectContaining({ rule: "cascade", generation_depth: 2 })]);
    await policy(base, { cascade_approval: false });
    expect((await r.call("member", "POST", `${base}/sessions/${s.body.id}/land`)).status).toBe(200);
  });

  it("shows every number on the settings page and saves the form", async () => {
    const { base, handle } = await project();
    const url = `/acme/${handle}/settings/agent-policy`;
    const member = await r.browsers.member.get(url);
    expect(member.html).toContain("Tier small: most changed lines");
    expect(member.html).toContain("The project&#39;s administrators set these numbers.");
    expect((await r.browsers.other.get(url)).status).toBe(200); // public project
    const page = await r.browsers.owner.get(url);
    expect(page.html).toContain("Save policy");
    const saved = await r.browsers.owner.submit(url, url, {
      strictness: "standard",
      checkpoints: "5",
      "tiers.small.max_lines": "",
      "quotas.sandbox.day": "10",
      "duplicates.prompt_similarity": "0.9",
      "duplicates.diff_similarity": "0.9",
      "duplicates.window_days": "7",
      "backoff.after_failures": "3",
      "backoff.base_minutes": "5",
      "backoff.max_minutes": "1440",
      cascade_approval: "on",
    });
    expect(saved.status).toBe(303);
    const got = (await r.call("anonymous", "GET", `${base}/agent-policy`)).body;
    expect(got.checkpoints).toBe(5);
    expect(got.tiers.small.max_lines).toBeNull();
    expect(got.overrides).toMatchObject({ checkpoints: 5, tiers: { small: { max_lines: null } } });
    expect((await r.browsers.member.submit(url, url, { checkpoints: "0" })).status).toBe(403);
  });
});
