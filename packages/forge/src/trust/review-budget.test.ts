// The maintainer attention budget against a real forge: read by readers and set by project
// administrators only (API and page, audited with before and after); the cost accounting of
// seeded sessions (declared and measured generation, review from request to decision, the
// estimate and what a review takes from the budget) per session, week, agent and model; the
// review.over_capacity event once per crossing; batch review of similar sessions (grouped,
// decided in one request by an administrator, each decision audited, others refused); and a
// private project's budget and queue invisible to anyone who may not read it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventsAfter } from "../sessions/project-events.ts";
import { api } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";
import { goalPrefix, groupSimilar } from "./review-batch.ts";
import { type CostRow, capacity, loadBudget, sessionCost, weekStart } from "./review-budget.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const MIN = 60_000;

describe("review budget and batch review", () => {
  let f: TestForge;
  let r: Roles;
  let n = 0;
  const project = async (visibility: "public" | "private" = "public") => {
    const handle = `rb${++n}`;
    const made = await r.call("owner", "POST", "/api/v1/projects", { handle, owner: "acme", visibility });
    expect(made.status).toBe(201);
    return { base: `/api/v1/projects/acme/${handle}`, page: `/acme/${handle}`, id: made.body.id as string };
  };
  /** mia's agent opens a session, uploads a three-line file and asks to land: held for review (checkpoint). */
  const queued = async (base: string, agent: string, goal: string, extra: Record<string, unknown> = {}) => {
    const s = await r.call("member", "POST", `${base}/sessions`, {
      goal,
      agent: { name: agent, model: agent === "bot" ? "m1" : "m2" },
      prompt: { text: goal, ...extra },
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const path = `${goal.replace(/\W+/g, "-").toLowerCase()}.txt`;
    const changes = [{ path, content: b64(`${goal}\nline two of ${goal}\nline three of ${goal}\n`) }];
    expect((await r.call("member", "PUT", `${base}/sessions/${s.body.id}/changes`, { changes })).status).toBe(
      200,
    );
    const land = await r.call("member", "POST", `${base}/sessions/${s.body.id}/land`);
    expect(land.status, JSON.stringify(land.body)).toBe(409);
    expect(land.body.type).toBe("https://micelio.dev/problems/review-required");
    return s.body.id as string;
  };
  const overEvents = async (projectId: string) =>
    (await eventsAfter(f.forge.db, projectId, 0)).filter((e) => e.type === "review.over_capacity");

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it("is read by readers, set by administrators only, and audited with before and after", async () => {
    const { base, page } = await project();
    const got = await r.call("anonymous", "GET", `${base}/review-budget`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ minutes_per_week: null, base_minutes: 5, lines_per_minute: 20 });
    expect(got.body.capacity).toMatchObject({
      over_capacity: false,
      queue_sessions: 0,
      remaining_minutes: null,
    });
    expect((await r.call("anonymous", "PUT", `${base}/review-budget`, { minutes_per_week: 60 })).status).toBe(
      401,
    );
    expect((await r.call("other", "PUT", `${base}/review-budget`, { minutes_per_week: 60 })).status).toBe(
      403,
    );
    expect((await r.call("member", "PUT", `${base}/review-budget`, { minutes_per_week: 60 })).status).toBe(
      403,
    );
    expect((await r.call("owner", "PUT", `${base}/review-budget`, { minutes_per_week: -1 })).status).toBe(
      400,
    );
    expect((await r.call("owner", "PUT", `${base}/review-budget`, { minutes: 60 })).status).toBe(400);
    const put = await r.call("owner", "PUT", `${base}/review-budget`, {
      minutes_per_week: 120,
      base_minutes: 3,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      minutes_per_week: 120,
      base_minutes: 3,
      lines_per_minute: 20,
      updated_by: "olivia",
    });
    expect((await r.call("other", "GET", `${base}/review-budget`)).body.minutes_per_week).toBe(120);
    const audit = await r.call("owner", "GET", `${base}/audit?action=project.review_budget_update`);
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0].data).toEqual({
      before: { minutes_per_week: null, base_minutes: 5, lines_per_minute: 20 },
      after: { minutes_per_week: 120, base_minutes: 3, lines_per_minute: 20 },
    });

    // The page: everyone who may read sees the numbers; administrators change them (CSRF form).
    const seen = await r.browsers.other.get(`${page}/settings/review-budget`);
    expect(seen.status).toBe(200);
    expect(seen.html).toContain("Review budget");
    expect(seen.html).toContain('value="120"');
    expect(seen.html).not.toContain("Save budget");
    const refused = await r.browsers.member.submit(
      `${page}/settings/review-budget`,
      `${page}/settings/review-budget`,
      {
        minutes_per_week: "5",
      },
    );
    expect(refused.status).toBe(403);
    const saved = await r.browsers.owner.submit(
      `${page}/settings/review-budget`,
      `${page}/settings/review-budget`,
      {
        minutes_per_week: "90",
        base_minutes: "3",
        lines_per_minute: "20",
      },
    );
    expect(saved.status).toBe(303);
    expect((await r.call("anonymous", "GET", `${base}/review-budget`)).body.minutes_per_week).toBe(90);
    const noCsrf = await r.browsers.owner.submit(
      `${page}/settings/review-budget`,
      `${page}/settings/review-budget`,
      { minutes_per_week: "1" },
      { csrf: "forged" },
    );
    expect(noCsrf.status).toBe(403);
    expect((await r.call("anonymous", "GET", `${base}/review-budget`)).body.minutes_per_week).toBe(90);
    expect(
      (await r.call("owner", "GET", `${base}/audit?action=project.review_budget_update`)).body,
    ).toHaveLength(2);
  });

  it("accounts minutes to generate against minutes to review for seeded sessions", async () => {
    const { base, id: projectId } = await project();
    await r.call("owner", "PUT", `${base}/review-budget`, { base_minutes: 2, lines_per_minute: 1 });
    const a = await queued(base, "bot", "Add alpha");
    const b = await queued(base, "bot", "Add beta", { execution_ms: 12 * MIN });
    const c = await queued(base, "helper", "Add gamma");
    expect((await r.call("owner", "POST", `${base}/sessions/${a}/approve`)).status).toBe(200);
    expect((await r.call("owner", "POST", `${base}/sessions/${b}/reject`, { reason: "no" })).status).toBe(
      200,
    );
    // A single decision is audited as a batch's are, without the batch mark.
    const single = await r.call("owner", "GET", `${base}/audit?action=session.*`);
    expect(
      (single.body as { action: string; target_id: string; data: unknown }[])
        .map((e) => [e.action, e.target_id, e.data])
        .sort(),
    ).toEqual([
      ["session.approve", a, {}],
      ["session.reject", b, { reason: "no" }],
    ]);
    // Fixed times: a opened 60 min before its review request, decided 40 min later; b asked
    // for review and was rejected 3 min later; c still waits.
    const t0 = new Date(Date.now() - 3 * 3600 * 1000);
    const at = (m: number) => new Date(t0.getTime() + m * MIN);
    const set = (id: string, v: Record<string, Date>) =>
      f.forge.db.updateTable("sessions").set(v).where("id", "=", id).execute();
    await set(a, { created_at: at(0), ready_at: at(60), approved_at: at(100) });
    await set(b, { created_at: at(10), ready_at: at(50), updated_at: at(53) });
    await set(c, { created_at: at(30), ready_at: at(45) });

    const got = await r.call("anonymous", "GET", `${base}/review-budget`);
    expect(got.status).toBe(200);
    const byId = Object.fromEntries(got.body.accounting.sessions.map((s: { id: string }) => [s.id, s]));
    // 3 lines each: estimated 2 + 3 / 1 = 5 minutes of review.
    expect(byId[a]).toMatchObject({
      agent: "bot",
      model: "m1",
      lines: 3,
      generate_minutes: 60,
      generate_source: "measured",
      review_minutes: 40,
      review_estimate_minutes: 5,
      review_spent_minutes: 5,
    });
    expect(byId[b]).toMatchObject({
      generate_minutes: 12,
      generate_source: "declared",
      review_minutes: 3,
      review_spent_minutes: 3,
      status: "rejected",
    });
    expect(byId[c]).toMatchObject({
      generate_minutes: 15,
      review_minutes: null,
      review_spent_minutes: null,
      decided_at: null,
    });
    const acc = got.body.accounting;
    expect(acc.total).toEqual({
      sessions: 3,
      generate_minutes: 87,
      reviewed: 2,
      review_minutes: 43,
      review_spent_minutes: 8,
      review_per_generate: 0.09,
    });
    expect(acc.by_agent).toEqual([
      {
        agent: "mia/bot",
        sessions: 2,
        generate_minutes: 72,
        reviewed: 2,
        review_minutes: 43,
        review_spent_minutes: 8,
        review_per_generate: 0.11,
      },
      {
        agent: "mia/helper",
        sessions: 1,
        generate_minutes: 15,
        reviewed: 0,
        review_minutes: 0,
        review_spent_minutes: 0,
        review_per_generate: 0,
      },
    ]);
    expect(acc.by_model.map((m: { model: string; sessions: number }) => [m.model, m.sessions])).toEqual([
      ["m1", 2],
      ["m2", 1],
    ]);
    expect(acc.by_week.reduce((s: number, w: { sessions: number }) => s + w.sessions, 0)).toBe(3);
    expect(got.body.capacity).toMatchObject({ queue_sessions: 1, queue_minutes: 5, over_capacity: false });
    await expect(loadBudget(f.forge.db, projectId)).resolves.toMatchObject({ over_capacity: false });
  });

  it("computes costs and capacity from the documented rules", () => {
    const b = { base_minutes: 5, lines_per_minute: 20 };
    const t = new Date("2026-03-04T10:00:00Z"); // a Wednesday
    expect(weekStart(t).toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(weekStart(new Date("2026-03-08T23:59:00Z")).toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(weekStart(new Date("2026-03-09T00:00:00Z")).toISOString()).toBe("2026-03-09T00:00:00.000Z");
    const row = (over: Partial<CostRow>): CostRow => ({
      id: "x",
      goal: "g",
      status: "open",
      author_handle: "mia",
      agent_name: "bot",
      agent_model: null,
      lines_added: 30,
      lines_removed: 10,
      execution_ms: null,
      created_at: new Date(t.getTime() - 90 * MIN),
      updated_at: t,
      ready_at: null,
      approved_at: null,
      landed_at: null,
      ...over,
    });
    // Landed by an administrator without approval: the landing is the decision.
    const landed = sessionCost(
      b,
      row({ status: "landed", ready_at: new Date(t.getTime() - 30 * MIN), landed_at: t }),
    );
    expect(landed).toMatchObject({
      generate_minutes: 60,
      review_minutes: 30,
      review_estimate_minutes: 7,
      review_spent_minutes: 7,
    });
    // Never asked for review: landed at once, no review minutes.
    expect(sessionCost(b, row({ status: "landed", landed_at: t }))).toMatchObject({
      generate_minutes: 90,
      review_minutes: null,
    });
    // Not submitted: nothing to generate yet either.
    expect(sessionCost(b, row({}))).toMatchObject({ generate_minutes: null, generate_source: null });

    const budget = {
      minutes_per_week: 20,
      base_minutes: 5,
      lines_per_minute: 20,
      over_capacity: false,
      over_capacity_since: null,
      updated_at: null,
      updated_by: null,
    };
    const queue = (i: number) => row({ id: `q${i}`, ready_at: new Date(t.getTime() - 8 * 24 * 3600 * 1000) });
    // Two old queued sessions (14 min) under a 20 minute week, nothing spent: under.
    expect(capacity(budget, [queue(1), queue(2)], t)).toMatchObject({
      queue_minutes: 14,
      remaining_minutes: 20,
      incoming_minutes_per_week: 0,
      over_capacity: false,
    });
    // 10 minutes spent on Monday: 14 > 10 left.
    const spent = row({
      id: "s",
      status: "rejected",
      ready_at: new Date("2026-03-02T08:00:00Z"),
      updated_at: new Date("2026-03-02T08:10:00Z"),
      lines_added: 100,
      lines_removed: 0,
    });
    const over = capacity(budget, [queue(1), queue(2), spent], t);
    expect(over).toMatchObject({ spent_this_week: 10, remaining_minutes: 10, over_capacity: true });
    expect(over.reasons[0]).toContain("queue needs about 14 minutes and 10");
    // Incoming faster than the budget: 4 new sessions of 7 min in the last 7 days.
    const fresh = [1, 2, 3, 4].map((i) =>
      row({
        id: `f${i}`,
        status: "landed",
        ready_at: new Date(t.getTime() - i * 3600 * 1000),
        approved_at: t,
      }),
    );
    const fast = capacity({ ...budget, minutes_per_week: 25 }, fresh, t);
    expect(fast).toMatchObject({ queue_minutes: 0, incoming_minutes_per_week: 28, over_capacity: true });
    expect(capacity({ ...budget, minutes_per_week: null }, [queue(1), queue(2)], t).over_capacity).toBe(
      false,
    );
  });

  it("records review.over_capacity once per crossing and shows the banner", async () => {
    const { base, page, id } = await project();
    expect(
      (
        await r.call("owner", "PUT", `${base}/review-budget`, {
          minutes_per_week: 6,
          base_minutes: 2,
          lines_per_minute: 1,
        })
      ).status,
    ).toBe(200);
    await queued(base, "bot", "First change");
    expect(await overEvents(id)).toHaveLength(0);
    expect((await r.browsers.owner.get(`${page}/sessions?review=ready`)).html).not.toContain("over capacity");
    await queued(base, "bot", "Second change"); // 10 estimated minutes > 6 left: crossing
    const events = await overEvents(id);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ minutes_per_week: 6, queue_sessions: 2, queue_minutes: 10 });
    // The project's administrators are told by mail (once an hour at most: the later crossings are not mailed).
    const alerts = await f.forge.db
      .selectFrom("maintainer_alerts")
      .selectAll()
      .where("project_id", "=", id)
      .where("kind", "=", "review.over_capacity")
      .execute();
    expect(alerts).toHaveLength(1);
    const mailed = await f.forge.db
      .selectFrom("jobs")
      .select("payload")
      .where("kind", "=", "mail.send")
      .execute();
    expect(
      mailed.some((j) => JSON.stringify(j.payload).includes("The review queue outgrew your review budget")),
    ).toBe(true);
    await queued(base, "bot", "Third change"); // still over: no second event
    await r.call("anonymous", "GET", `${base}/review-budget`);
    await r.call("anonymous", "GET", `${base}/sessions/review-batch`);
    expect(await overEvents(id)).toHaveLength(1);
    for (const where of [
      `${page}/sessions?review=ready`,
      `${page}/settings`,
      `${page}/settings/review-budget`,
    ]) {
      const html = (await r.browsers.owner.get(where)).html;
      expect(html, where).toContain("review queue is over capacity");
    }
    // Back under (a larger budget), then over again: a second event.
    const under = await r.call("owner", "PUT", `${base}/review-budget`, { minutes_per_week: 600 });
    expect(under.body.capacity.over_capacity).toBe(false);
    expect((await r.browsers.owner.get(`${page}/sessions`)).html).not.toContain("over capacity");
    expect(await overEvents(id)).toHaveLength(1);
    const again = await r.call("owner", "PUT", `${base}/review-budget`, { minutes_per_week: 6 });
    expect(again.body.capacity.over_capacity).toBe(true);
    expect(again.body.over_capacity_since).toBeTruthy();
    expect(await overEvents(id)).toHaveLength(2);
    // No budget: nothing is over; a budget set again announces its crossing.
    const none = await r.call("owner", "PUT", `${base}/review-budget`, { minutes_per_week: null });
    expect(none.body).toMatchObject({ over_capacity_since: null, capacity: { over_capacity: false } });
    await r.call("owner", "PUT", `${base}/review-budget`, { minutes_per_week: 6 });
    expect(await overEvents(id)).toHaveLength(3);
  });

  it("groups similar sessions and decides on several in one request, administrators only", async () => {
    const { base, page, id: projectId } = await project();
    const s1 = await queued(base, "bot", "Fix typo in alpha");
    const s2 = await queued(base, "bot", "Fix typo in beta");
    const s3 = await queued(base, "helper", "Write the changelog");
    const got = await r.call("anonymous", "GET", `${base}/sessions/review-batch`);
    expect(got.status).toBe(200);
    const groups = got.body.groups as {
      id: string;
      reasons: string[];
      sessions: { id: string; files: unknown[] }[];
    }[];
    expect(groups.map((g) => g.sessions.map((s) => s.id))).toEqual([[s1, s2], [s3]]);
    expect(groups[0]!.reasons).toEqual(["same agent, same goal prefix"]);
    expect(groups[0]!.sessions[0]!.files).toEqual([
      { path: "fix-typo-in-alpha.txt", status: "added", additions: 3, deletions: 0 },
    ]);

    // Refused whole to anyone but an administrator; nothing changes.
    const body = { sessions: [s1, s2], decision: "approve", land: true };
    expect((await r.call("anonymous", "POST", `${base}/sessions/review-batch`, body)).status).toBe(401);
    expect((await r.call("other", "POST", `${base}/sessions/review-batch`, body)).status).toBe(403);
    expect((await r.call("member", "POST", `${base}/sessions/review-batch`, body)).status).toBe(403);
    const page403 = await r.browsers.member.submit(
      `${page}/sessions/review-batch`,
      `${page}/sessions/review-batch`,
      {
        session: [s1, s2],
        decision: "approve",
      },
    );
    expect(page403.status).toBe(403);
    const writeOnly = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["olivia", r.accounts.owner.password],
      json: { name: "project write", scopes: ["project:write"] },
    });
    const tokenRefused = await api(f.url, "POST", `${base}/sessions/review-batch`, {
      token: writeOnly.body.token,
      json: body,
    });
    expect(tokenRefused.status).toBe(403);
    expect(tokenRefused.body.detail).toContain("session:write");
    const queue = await r.call("owner", "GET", `${base}/sessions?review=ready`);
    expect(queue.body).toHaveLength(3);

    const done = await r.call("owner", "POST", `${base}/sessions/review-batch`, body);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ decided: 2, failed: 0 });
    expect(done.body.results.map((x: { status: string }) => x.status)).toEqual(["landed", "landed"]);
    for (const id of [s1, s2]) {
      const s = await r.call("anonymous", "GET", `${base}/sessions/${id}`);
      expect(s.body).toMatchObject({ status: "landed", approved_by: "olivia" });
    }
    // A session already closed is reported in its place, the others still decided.
    const rejected = await r.call("owner", "POST", `${base}/sessions/review-batch`, {
      sessions: [s1, s3],
      decision: "reject",
      reason: "not now",
    });
    expect(rejected.body).toMatchObject({ decided: 1, failed: 1 });
    expect(rejected.body.results[0]).toMatchObject({ id: s1, ok: false, error: { status: 409 } });
    expect((await r.call("anonymous", "GET", `${base}/sessions/${s3}`)).body).toMatchObject({
      status: "rejected",
      status_reason: "not now",
    });
    const audit = await r.call("owner", "GET", `${base}/audit?action=session.*`);
    const actions = (audit.body as { action: string; target: string; data: { batch: boolean } }[]).map(
      (e) => `${e.action} ${e.target.split("/").at(-1)}`,
    );
    expect(actions.sort()).toEqual(
      [
        `session.approve ${s1}`,
        `session.approve ${s2}`,
        `session.land ${s1}`,
        `session.land ${s2}`,
        `session.reject ${s3}`,
      ].sort(),
    );
    expect(
      await f.forge.db
        .selectFrom("sessions")
        .select("id")
        .where("project_id", "=", projectId)
        .where("status", "=", "open")
        .execute(),
    ).toEqual([]);

    // The page: an administrator ticks sessions and approves them in one form post.
    const s4 = await queued(base, "bot", "Tidy alpha");
    const s5 = await queued(base, "bot", "Tidy beta");
    const view = await r.browsers.owner.get(`${page}/sessions/review-batch`);
    expect(view.status).toBe(200);
    expect(view.html).toContain(`value="${s4}"`);
    expect(view.html).toContain("tidy-alpha.txt");
    const posted = await r.browsers.owner.submit(
      `${page}/sessions/review-batch`,
      `${page}/sessions/review-batch`,
      {
        session: [s4, s5],
        decision: "approve",
      },
    );
    expect(posted.status).toBe(200);
    expect(posted.html).toContain("2 decided");
    for (const id of [s4, s5])
      expect((await r.call("anonymous", "GET", `${base}/sessions/${id}`)).body.approved_by).toBe("olivia");
  });

  it("keeps a private project's budget and queue to those who may read it", async () => {
    const { base, page } = await project("private");
    await r.call("owner", "PUT", `${base}/review-budget`, { minutes_per_week: 30 });
    const s = await queued(base, "bot", "Secret work");
    for (const who of ["anonymous", "other"] as const) {
      expect((await r.call(who, "GET", `${base}/review-budget`)).status, who).toBe(404);
      expect((await r.call(who, "PUT", `${base}/review-budget`, { minutes_per_week: 1 })).status, who).toBe(
        who === "anonymous" ? 401 : 404,
      );
      expect((await r.call(who, "GET", `${base}/sessions/review-batch`)).status, who).toBe(404);
      const post = await r.call(who, "POST", `${base}/sessions/review-batch`, {
        sessions: [s],
        decision: "reject",
      });
      expect([401, 404], who).toContain(post.status);
      expect((await r.browsers[who].get(`${page}/sessions/review-batch`)).status, who).toBe(404);
      const budgetPage = await r.browsers[who].get(`${page}/settings/review-budget`);
      expect(budgetPage.status, who).toBe(404);
      expect(budgetPage.html).not.toContain("Secret work");
    }
    expect((await r.call("member", "GET", `${base}/review-budget`)).body.minutes_per_week).toBe(30);
    expect((await r.call("owner", "GET", `${base}/sessions/${s}`)).body.status).toBe("open");
  });

  it("groups by agent and goal, directories, or near-duplicate changes", () => {
    expect(goalPrefix("Fix: typo in README!")).toBe("fix typo in");
    const item = (
      id: string,
      agent: string | null,
      goal: string,
      paths: string[],
      minhash: number[] | null = null,
    ) => ({
      id,
      author: "mia",
      agent,
      goal,
      paths,
      minhash,
    });
    const same = Array.from({ length: 64 }, (_, i) => i);
    const groups = groupSimilar([
      item("a", "bot", "Update docs index", ["docs/a.md"]),
      item("b", "bot", "Refresh something", ["docs/b.md"]),
      item("c", "other", "Unrelated", ["src/x.ts"], same),
      item("d", null, "Mine", ["lib/y.ts"], same),
      item("e", "bot", "Alone", ["src/z.ts"]),
    ]);
    expect(groups.map((g) => g.ids)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(groups[0]!.reasons).toEqual(["same agent, same directories"]);
    expect(groups[1]!.reasons).toEqual(["similar changes"]);
  });
});
