// The quality dashboard on a real forge: people's and agents' sessions opened, landed,
// rejected, approved and validated through the API, the report's numbers checked one by one,
// the CSV equal to the JSON, the pages' SVG charts, and a private project's sessions never
// shown to (or counted for) anyone who may not read it.
import { XMLValidator } from "fast-xml-parser";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishRun, startRun } from "../checks/validation-store.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";
import { sendQualityAlerts } from "./quality-alert-job.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("quality dashboard", () => {
  let f: TestForge;
  let r: Roles;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
    for (const [handle, visibility] of [
      ["open", "public"],
      ["hidden", "private"],
      ["quiet", "public"],
    ]) {
      expect(
        (await r.call("owner", "POST", "/api/v1/projects", { handle, owner: "acme", visibility })).status,
      ).toBe(201);
      await r.call("owner", "PUT", `/api/v1/projects/acme/${handle}/agent-policy`, {
        strictness: "off",
        checkpoints: 0,
      });
    }
    const work = async (
      name: string,
      project: string,
      agent: { name: string; model: string } | null,
      end: "land" | "reject" | "abandon" | "approve",
      tokens = 0,
    ) => {
      const base = `/api/v1/projects/acme/${project}/sessions`;
      const s = await r.call("member", "POST", base, {
        goal: `Work on ${name}`,
        ...(agent ? { agent, prompt: { text: `do ${name}` } } : {}),
      });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      ids[name] = s.body.id;
      if (tokens)
        await r.call("member", "POST", `${base}/${s.body.id}/events`, {
          events: [{ kind: "prompt", text: "go", tokens }],
        });
      await r.call("member", "PUT", `${base}/${s.body.id}/changes`, {
        changes: [{ path: `${name}.txt`, content: b64("a\nb\n") }],
      });
      if (end === "approve")
        expect((await r.call("owner", "POST", `${base}/${s.body.id}/approve`)).status).toBe(200);
      if (end === "land" || end === "approve")
        expect((await r.call("member", "POST", `${base}/${s.body.id}/land`)).status).toBe(200);
      else {
        const res = await r.call(
          end === "reject" ? "owner" : "member",
          "POST",
          `${base}/${s.body.id}/${end}`,
        );
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    };
    await work("h1", "open", null, "land");
    await work("h2", "open", null, "land");
    await work("a1", "open", { name: "bot", model: "m1" }, "approve", 100);
    await work("a2", "open", { name: "bot", model: "m1" }, "reject");
    await work("a3", "open", { name: "bot", model: "m2" }, "abandon", 30);
    await work("x1", "hidden", { name: "bot", model: "secret-model" }, "land");
    await work("x2", "hidden", null, "land");
    const db = f.forge.db;
    // Exact review times: a2 waited 10 hours for its rejection, a1 6 hours for its approval.
    await sql`UPDATE sessions SET created_at = updated_at - interval '10 hours' WHERE id = ${ids.a2}`.execute(
      db,
    );
    await sql`UPDATE sessions SET created_at = approved_at - interval '6 hours' WHERE id = ${ids.a1}`.execute(
      db,
    );
    // h2 happened 16 days ago (in the third week back).
    await sql`UPDATE sessions SET created_at = now() - interval '17 days',
      landed_at = now() - interval '16 days', updated_at = now() - interval '16 days' WHERE id = ${ids.h2}`.execute(
      db,
    );
    // Validation runs of agents' sessions: a1 passed (score 80) after failing once (40).
    const project = await db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", "open")
      .executeTakeFirstOrThrow();
    for (const [status, score] of [
      ["failed", 40],
      ["passed", 80],
    ] as const) {
      const run = await startRun(db, {
        projectId: project.id,
        sessionId: ids.a1!,
        sessionCommit: "0".repeat(40),
        trunkCommit: null,
        trunkPosition: 0,
        configBlob: "x",
        trigger: "changes",
        provider: "test",
        minScore: 50,
      });
      await finishRun(
        db,
        run.id,
        { status, scores: { aggregate: score, categories: {} }, shortfalls: [] },
        [],
      );
    }
  });
  afterAll(async () => {
    await f.close();
  });

  it("counts people's and agents' sessions, rejections, review time and validation", async () => {
    const res = await r.call("anonymous", "GET", "/api/v1/projects/acme/open/quality");
    expect(res.status).toBe(200);
    const q = res.body;
    expect(q.scope).toBe("acme/open");
    expect(q.window.weeks).toBe(12);
    expect(q.series).toHaveLength(12);
    expect(q.totals.ai_share).toBe(0.6);
    expect(q.totals.human).toMatchObject({
      opened: 2,
      landed: 2,
      rejected: 0,
      rejection_rate: 0,
      reviewed: 0,
    });
    expect(q.totals.ai).toMatchObject({
      opened: 3,
      landed: 1,
      rejected: 1,
      abandoned: 1,
      rejection_rate: 0.5,
      reviewed: 2,
      review_hours: 8,
      review_hours_median: 8,
      validations_passed: 1,
      validations_failed: 1,
      validation_pass_rate: 0.5,
      validation_score: 60,
      tokens: 130,
      landed_lines: 2,
      tokens_per_landed_line: 65,
    });
    const last = q.series[11];
    expect(last).toMatchObject({ human_opened: 1, human_landed: 1, ai_opened: 3, ai_share: 0.75 });
    // h2, 16 days back, in its own week.
    expect(q.series[9]).toMatchObject({ human_opened: 1, human_landed: 1, ai_opened: 0, ai_share: 0 });
    expect(
      q.series
        .slice(0, 9)
        .every((s: { human_opened: number; ai_opened: number }) => s.human_opened + s.ai_opened === 0),
    ).toBe(true);
    expect(q.by_model.map((m: { model: string }) => m.model).sort()).toEqual(["m1", "m2"]);
    expect(q.by_model.find((m: { model: string }) => m.model === "m1")).toMatchObject({
      opened: 2,
      landed: 1,
      rejected: 1,
      rejection_rate: 0.5,
      validation_pass_rate: 0.5,
      review_hours: 8,
    });
    expect(q.by_model.find((m: { model: string }) => m.model === "m2")).toMatchObject({
      opened: 1,
      abandoned: 1,
    });
    expect(q.by_agent).toHaveLength(1);
    expect(q.by_agent[0]).toMatchObject({
      agent: "bot",
      sessions: 3,
      landed: 1,
      tokens: 130,
      landed_lines: 2,
      tokens_per_landed_line: 65,
      wasted_tokens: 30,
    });
    expect(q.alerts).toEqual([]);
    expect(q.thresholds).toMatchObject({ period_weeks: 4, rejection_rise: 0.15 });
    expect(
      (await r.call("anonymous", "GET", "/api/v1/projects/acme/open/quality?weeks=500")).body.window.weeks,
    ).toBe(52);
    const two = (await r.call("anonymous", "GET", "/api/v1/projects/acme/open/quality?weeks=2")).body;
    expect(two.series).toHaveLength(2);
    expect(two.totals.human.opened).toBe(1);
  });

  it("answers the series as CSV, the same numbers as the JSON", async () => {
    const json = (await r.call("anonymous", "GET", "/api/v1/projects/acme/open/quality?weeks=4")).body;
    const res = await fetch(`${f.url}/api/v1/projects/acme/open/quality?weeks=4&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const [head, ...lines] = (await res.text()).trimEnd().split("\r\n");
    const cols = head!.split(",");
    expect(cols.slice(0, 3)).toEqual(["week_start", "week_end", "ai_share"]);
    expect(lines).toHaveLength(4);
    lines.forEach((line, i) => {
      const cells = line.split(",");
      expect(cells).toHaveLength(cols.length);
      cols.forEach((c, j) => {
        const v = json.series[i][c];
        expect(cells[j], `${c} of week ${i}`).toBe(v === null ? "" : String(v));
      });
    });
    expect(lines[3]).toContain(",0.75,");
  });

  it("keeps a private project's dashboard and numbers from those who may not read it", async () => {
    for (const who of ["anonymous", "other"] as const) {
      expect((await r.call(who, "GET", "/api/v1/projects/acme/hidden/quality")).status).toBe(404);
      expect((await r.call(who, "GET", "/api/v1/projects/acme/hidden/quality?format=csv")).status).toBe(404);
      expect((await r.browsers[who].get("/acme/hidden/quality")).status).toBe(404);
      const all = (await r.call(who, "GET", "/api/v1/quality")).body;
      expect(all.scope).toBe("instance");
      expect(all.totals.ai.opened).toBe(3);
      expect(all.totals.human.opened).toBe(2);
      expect(JSON.stringify(all)).not.toContain("secret-model");
      expect(all.by_project.map((p: { project: string }) => p.project)).toEqual(["acme/open"]);
      expect(all.by_project[0]).toMatchObject({
        opened: 5,
        ai_opened: 3,
        ai_share: 0.6,
        ai_rejection_rate: 0.5,
        alerts: [],
      });
      const page = await r.browsers[who].get("/quality");
      expect(page.status).toBe(200);
      expect(page.html).not.toContain("secret-model");
    }
    const mine = await r.call("member", "GET", "/api/v1/projects/acme/hidden/quality");
    expect(mine.status).toBe(200);
    expect(mine.body.totals).toMatchObject({ ai: { opened: 1, landed: 1 }, human: { opened: 1 } });
    const all = (await r.call("member", "GET", "/api/v1/quality")).body;
    expect(all.totals.ai.opened).toBe(4);
    expect(all.totals.human.opened).toBe(3);
    expect(all.by_model.map((m: { model: string }) => m.model)).toContain("secret-model");
    expect(all.by_project.map((p: { project: string }) => p.project)).toEqual(["acme/open", "acme/hidden"]);
    expect((await r.browsers.member.get("/acme/hidden/quality")).status).toBe(200);
    // The page's download link works with the web session.
    const csv = await r.browsers.member.get("/api/v1/projects/acme/hidden/quality?format=csv");
    expect(csv.status).toBe(200);
    expect(csv.html.split("\r\n")[0]).toMatch(/^week_start,week_end,ai_share,/);
  });

  it("draws the dashboard as SVG with tables, links the CSV, and explains an empty one", async () => {
    const page = await r.browsers.anonymous.get("/acme/open/quality");
    expect(page.status).toBe(200);
    const svgs = page.html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(4);
    for (const svg of svgs) {
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
      expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title>/);
    }
    expect(page.html).toContain("Sessions opened per week, people and agents");
    expect(page.html).toContain('href="/api/v1/projects/acme/open/quality?format=csv"');
    expect(page.html).toContain("<code>m1</code>");
    expect(page.html).toContain('href="/agents/bot"');
    expect(page.html).toContain('aria-current="page">Quality</a>');
    // The project's own page links to it.
    expect((await r.browsers.anonymous.get("/acme/open")).html).toContain('href="/acme/open/quality"');
    const narrow = await r.browsers.anonymous.get("/acme/open/quality?weeks=4");
    expect(narrow.html).toContain("quality?weeks=4&amp;format=csv");
    const empty = await r.browsers.anonymous.get("/acme/quiet/quality");
    expect(empty.status).toBe(200);
    expect(empty.html).toContain("No sessions opened or closed in the last 12 weeks");
    expect(empty.html).not.toContain("<svg");
    const instance = await r.browsers.anonymous.get("/quality");
    expect(instance.html).toContain("<svg");
    expect(instance.html).toContain('href="/api/v1/quality?format=csv"');
    expect(instance.html).toContain('href="/acme/open/quality"');
    expect(instance.html).not.toContain("acme/hidden");
  });

  // Last: it adds a project, which the instance's numbers above do not count.
  it("alerts when agents' rejections rise week after week, and names the project", async () => {
    expect(
      (await r.call("owner", "POST", "/api/v1/projects", { handle: "trend", owner: "acme" })).status,
    ).toBe(201);
    const { id } = await f.forge.db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", "trend")
      .executeTakeFirstOrThrow();
    // Eight weeks of an agent's sessions: 4 landed and 1 rejected a week, then 1 landed and 4 rejected.
    await sql`INSERT INTO sessions (id, project_id, author_handle, agent_name, agent_model, goal, origin,
        base_position, status, lines_added, created_at, updated_at, landed_at)
      SELECT 'T' || w || k, ${id}, 'mia', 'bot', 'm9', 'goal ' || w || k, 'ai-generated', 0,
             CASE WHEN k < CASE WHEN w < 4 THEN 1 ELSE 4 END THEN 'rejected' ELSE 'landed' END, 1,
             t - interval '2 hours', t,
             CASE WHEN k < CASE WHEN w < 4 THEN 1 ELSE 4 END THEN NULL ELSE t END
      FROM generate_series(0, 7) w, generate_series(0, 4) k,
           LATERAL (SELECT now() - ((7 - w) * 7 + 3) * interval '1 day' AS t) x`.execute(f.forge.db);
    const q = (await r.call("anonymous", "GET", "/api/v1/projects/acme/trend/quality?weeks=8")).body;
    expect(q.series.map((s: { ai_rejected: number }) => s.ai_rejected)).toEqual([1, 1, 1, 1, 4, 4, 4, 4]);
    expect(q.alerts, JSON.stringify(q.alerts)).toHaveLength(1);
    expect(q.alerts[0]).toMatchObject({
      kind: "rejection-rate-rising",
      recent: { rejection_rate: 0.8, landed: 4, rejected: 16 },
      previous: { rejection_rate: 0.2, landed: 16, rejected: 4 },
    });
    // A steady project raises nothing.
    expect(
      (await r.call("anonymous", "GET", "/api/v1/projects/acme/open/quality?weeks=8")).body.alerts,
    ).toEqual([]);
    const all = (await r.call("anonymous", "GET", "/api/v1/quality?weeks=8")).body;
    expect(all.by_project.find((p: { project: string }) => p.project === "acme/trend").alerts).toEqual([
      "rejection-rate-rising",
    ]);
    const page = await r.browsers.anonymous.get("/acme/trend/quality?weeks=8");
    expect(page.html).toContain(
      "<strong>rejection-rate-rising</strong>: Agents&#39; rejection rate rose from 20% to 80%",
    );
    expect(page.html).toMatch(/rose from 20% to 80% \(\w{3} \d+ – \w{3} \d+ against \w{3} \d+ – \w{3} \d+\)/);
    // The daily job mails it to the project's administrators, once a week at most.
    const sent = await sendQualityAlerts(f.forge.db);
    expect(sent).toContain("acme/trend rejection-rate-rising");
    expect(sent.filter((x) => x.startsWith("acme/open"))).toEqual([]);
    expect(await sendQualityAlerts(f.forge.db)).toEqual([]);
    const mails = await f.forge.db
      .selectFrom("jobs")
      .select("payload")
      .where("kind", "=", "mail.send")
      .execute();
    const mail = mails.find((j) => JSON.stringify(j.payload).includes("rejection rate rising"));
    expect(mail?.payload).toMatchObject({
      template: "maintainer_alert",
      vars: { project: "acme/trend", path: "/acme/trend/quality" },
    });
  });

  it("reserves the word for account handles", async () => {
    const res = await r.call("owner", "POST", "/api/v1/orgs", { handle: "quality" });
    expect(res.status).toBe(400);
  });
});
