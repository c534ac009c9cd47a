// Noise multiplication prevention on a forge sending mail through a real SMTP listener: each
// noise metric trips the agents' circuit breaker at its threshold and not below (rejections per
// day, near-duplicate refusals per hour, agents' sessions opened per hour, the cascade share),
// with the metric, value and threshold in the pause, the audit log and the agents.paused event;
// the project's administrators (and only they) are mailed once; only a maintainer resumes and
// sets thresholds (API and settings page, audited); the AI-generated prompt flag.
import type { ParsedMail } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addresses, type SmtpSink, settledUserWithToken, startSmtpSink } from "../mail/test-smtp.ts";
import { api, Browser } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { markerReason } from "./ai-prompt.ts";

type Who = "anonymous" | "admin" | "olivia" | "otto" | "mia" | "oscar" | "reader";

describe("noise breakers and maintainer alerts", () => {
  let f: TestForge;
  let smtp: SmtpSink;
  const tokens = {} as Record<Who, string | undefined>;
  const browsers = {} as Record<"olivia" | "mia", Browser>;
  const call = (who: Who, method: string, path: string, json?: unknown) =>
    api(f.url, method, path, { token: tokens[who], json });
  const base = (p: string) => `/api/v1/projects/acme/${p}`;
  let n = 0;
  /** mia's agent opens a session; each prompt differs from the others unless given. */
  const open = (p: string, extra: Record<string, unknown> = {}, agent = "bot") =>
    call("mia", "POST", `${base(p)}/sessions`, {
      goal: `Work ${++n}`,
      agent: { name: agent },
      prompt: {
        text: `Task ${n}: ${["rename", "document", "test", "fix", "tidy", "port"][n % 6]} module ${n * 7919}`,
      },
      ...extra,
    });
  const paused = async (p: string) => (await call("olivia", "GET", base(p))).body.agents.paused;
  const alerts = () => smtp.received.filter((m: ParsedMail) => /circuit breaker/.test(m.subject ?? ""));

  beforeAll(async () => {
    smtp = await startSmtpSink();
    f = await startTestForge({ SMTP_URL: smtp.url });
    for (const who of ["admin", "olivia", "otto", "mia", "oscar"] as const) {
      const u = await settledUserWithToken(f, who === "admin" ? "ada" : who);
      tokens[who] = u.token;
      if (who === "olivia" || who === "mia") {
        browsers[who] = new Browser(f.url);
        const r = await browsers[who].submit("/login", "/login", { login: u.handle, password: u.password });
        expect(r.status).toBe(303);
      }
    }
    const olivia = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["olivia", "pw-olivia-secret"],
      json: { name: "read", scopes: ["project:read"] },
    });
    tokens.reader = olivia.body.token;
    expect((await call("olivia", "POST", "/api/v1/orgs", { handle: "acme" })).status).toBe(201);
    expect((await call("olivia", "PUT", "/api/v1/orgs/acme/members/mia", { role: "member" })).status).toBe(
      200,
    );
    expect((await call("olivia", "PUT", "/api/v1/orgs/acme/members/otto", { role: "owner" })).status).toBe(
      200,
    );
    for (const p of ["open", "rej", "dup", "casc", "flag"]) {
      const made = await call("olivia", "POST", "/api/v1/projects", {
        handle: p,
        owner: "acme",
        visibility: "private",
      });
      expect(made.status).toBe(201);
      // Checkpoints and quotas out of the way: the breaker is what is tested.
      await call("olivia", "PUT", `${base(p)}/agent-policy`, { checkpoints: 0 });
    }
  });
  afterAll(async () => {
    await f?.close();
    await smtp?.close();
  });

  it("sets thresholds for administrators only, audited, and shows each metric's value", async () => {
    const url = `${base("open")}/agents/noise`;
    expect((await call("anonymous", "GET", url)).status).toBe(404);
    expect((await call("oscar", "GET", url)).status).toBe(404);
    const read = await call("mia", "GET", url);
    expect(read.status).toBe(200);
    expect(read.body.metrics.map((m: { metric: string }) => m.metric)).toEqual([
      "validation_failures_per_hour",
      "rejections_per_day",
      "duplicates_per_hour",
      "sessions_per_hour",
      "cascade_percent",
    ]);
    expect(read.body.metrics.every((m: { threshold: unknown }) => m.threshold === null)).toBe(true);

    expect((await call("anonymous", "PUT", url, { sessions_per_hour: 3 })).status).toBe(401);
    expect((await call("oscar", "PUT", url, { sessions_per_hour: 3 })).status).toBe(404);
    expect((await call("mia", "PUT", url, { sessions_per_hour: 3 })).status).toBe(403);
    expect((await call("reader", "PUT", url, { sessions_per_hour: 3 })).status).toBe(403);
    expect((await call("olivia", "PUT", url, { sessions_per_hour: 0 })).status).toBe(400);
    expect((await call("olivia", "PUT", url, { cascade_percent: 101 })).status).toBe(400);
    const set = await call("olivia", "PUT", url, { sessions_per_hour: 3, rejections_per_day: 9 });
    expect(set.status).toBe(200);
    const cleared = await call("olivia", "PUT", url, { rejections_per_day: null });
    const threshold = (body: { metrics: { metric: string; threshold: number | null }[] }, m: string) =>
      body.metrics.find((x) => x.metric === m)?.threshold;
    expect(threshold(cleared.body, "sessions_per_hour")).toBe(3);
    expect(threshold(cleared.body, "rejections_per_day")).toBeNull();

    const audit = await call("olivia", "GET", `${base("open")}/audit?action=project.noise_update`);
    const entries = JSON.stringify(audit.body);
    expect(entries).toContain('"sessions_per_hour":3');
    expect(entries).toContain('"rejections_per_day":9');
    expect(entries).toContain('"before"');
  });

  it("trips on agents' sessions opened per hour at the threshold, mails the administrators once, and only a maintainer resumes", async () => {
    expect((await open("open")).status).toBe(201);
    expect((await open("open")).status).toBe(201);
    expect(await paused("open")).toBeNull(); // 2 < 3
    const noise = (await call("mia", "GET", `${base("open")}/agents/noise`)).body;
    expect(noise.metrics.find((m: { metric: string }) => m.metric === "sessions_per_hour")).toMatchObject({
      value: 2,
      threshold: 3,
    });
    expect((await open("open")).status).toBe(201); // the third reaches the threshold
    const state = await paused("open");
    expect(state).toMatchObject({ by: "circuit-breaker" });
    expect(state.reason).toContain("3 agents' sessions opened in the last hour (threshold 3)");
    const refused = await open("open");
    expect(refused.status).toBe(403);
    expect(refused.body.type).toContain("agents-paused");
    // A person's session goes on.
    expect((await call("mia", "POST", `${base("open")}/sessions`, { goal: "By hand" })).status).toBe(201);

    const after = (await call("mia", "GET", `${base("open")}/agents/noise`)).body;
    expect(after.last_trip).toMatchObject({ metric: "sessions_per_hour", value: 3, threshold: 3 });
    const audit = await call("olivia", "GET", `${base("open")}/audit?action=project.agents_pause`);
    expect(JSON.stringify(audit.body)).toContain('"metric":"sessions_per_hour"');
    const events = await f.forge.db
      .selectFrom("project_events")
      .select(["type", "data"])
      .where("type", "=", "agents.paused")
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ metric: "sessions_per_hour", value: 3, threshold: 3 });

    // The administrators (olivia, otto: the organization's owners), once each; nobody else.
    await smtp.next("olivia@example.test", /circuit breaker/);
    const otto = await smtp.next("otto@example.test", /circuit breaker/);
    expect(otto.subject).toBe("[acme/open] Agents' contributions paused by the circuit breaker");
    expect(otto.text).toContain("3 agents' sessions opened in the last hour (threshold 3)");
    expect(otto.text).toContain("/acme/open/settings");
    // Delivered through the job queue: wait for it to settle, then count.
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      alerts()
        .filter((m) => m.subject?.includes("acme/open"))
        .flatMap(addresses)
        .sort(),
    ).toEqual(["olivia@example.test", "otto@example.test"]);

    const resume = `${base("open")}/agents/resume`;
    expect((await call("anonymous", "POST", resume)).status).toBe(401);
    expect((await call("oscar", "POST", resume)).status).toBe(404);
    expect((await call("mia", "POST", resume)).status).toBe(403);
    expect((await call("reader", "POST", resume)).status).toBe(403);
    expect(await paused("open")).not.toBeNull();
    await call("olivia", "PUT", `${base("open")}/agents/noise`, { sessions_per_hour: 100 });
    expect((await call("olivia", "POST", resume)).body.agents.paused).toBeNull();
    expect((await open("open")).status).toBe(201);
    const resumed = await call("olivia", "GET", `${base("open")}/audit?action=project.agents_resume`);
    expect(JSON.stringify(resumed.body)).toContain("olivia");
  });

  it("trips on agents' sessions rejected in a day at the threshold", async () => {
    await call("olivia", "PUT", `${base("rej")}/agents/noise`, { rejections_per_day: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await open("rej")).body.id);
    const reject = (id: string) =>
      call("olivia", "POST", `${base("rej")}/sessions/${id}/reject`, { reason: "slop" });
    expect((await reject(ids[0]!)).status).toBe(200);
    expect(await paused("rej")).toBeNull();
    expect((await reject(ids[1]!)).status).toBe(200);
    const state = await paused("rej");
    expect(state).toMatchObject({ by: "circuit-breaker" });
    expect(state.reason).toContain("2 agents' sessions rejected in the last 24 hours (threshold 2)");
    // One message to each of the two administrators.
    expect((await smtp.next("olivia@example.test", /acme\/rej/)).text).toContain("rejected");
    expect((await smtp.next("otto@example.test", /acme\/rej/)).text).toContain("rejected");
  });

  it("trips on near-duplicate refusals in an hour at the threshold", async () => {
    await call("olivia", "PUT", `${base("dup")}/agents/noise`, { duplicates_per_hour: 2 });
    const prompt = { text: "Add a command line flag --verbose that prints every request the client sends" };
    expect((await open("dup", { prompt }, "bot")).status).toBe(201);
    const again = await open("dup", { prompt }, "bot2");
    expect(again.status).toBe(409);
    expect(again.body.type).toContain("near-duplicate");
    expect(await paused("dup")).toBeNull();
    expect((await open("dup", { prompt }, "bot3")).status).toBe(409);
    const state = await paused("dup");
    expect(state.reason).toContain("2 near-duplicate refusals of agents in the last hour (threshold 2)");
  });

  it("trips on the share of agents' sessions acting on AI-generated context, from five sessions", async () => {
    await call("olivia", "PUT", `${base("casc")}/agents/noise`, { cascade_percent: 50 });
    expect((await open("casc", { generation_depth: 2 })).status).toBe(201);
    expect((await open("casc", { generation_depth: 2 })).status).toBe(201);
    expect((await open("casc")).status).toBe(201);
    expect(await paused("casc")).toBeNull(); // 66% but only 3 sessions
    expect((await open("casc")).status).toBe(201);
    expect((await open("casc")).status).toBe(201);
    const below = (await call("olivia", "GET", `${base("casc")}/agents/noise`)).body.metrics.find(
      (m: { metric: string }) => m.metric === "cascade_percent",
    );
    expect(below).toMatchObject({ value: 40, threshold: 50, sessions: 5, min_sessions: 5 });
    expect(await paused("casc")).toBeNull();
    // A prompt that looks AI-generated counts as a cascade: 3 of 6.
    const flagged = await open("casc", {
      prompt: { text: "Certainly! Here's a revised plan: split the parser into two modules." },
    });
    expect(flagged.status).toBe(201);
    expect(flagged.body.generation_depth).toBe(1);
    expect(flagged.body.prompt_ai.reason).toContain('"certainly! here"');
    const state = await paused("casc");
    expect(state.reason).toContain(
      "50% of the 6 agents' sessions of the last 24 hours act on AI-generated context",
    );
  });

  it("flags a prompt copied from an AI session's output or with a chat model's phrases, not an ordinary one", async () => {
    const plain = await open("flag", {
      prompt: { text: "Add a README that explains how to build the project and run its tests" },
    });
    expect(plain.status).toBe(201);
    expect(plain.body.prompt_ai).toBeNull();
    const answer =
      "Next, an agent should refactor the storage layer so that every query goes through one connection pool.";
    const said = await call("mia", "POST", `${base("flag")}/sessions/${plain.body.id}/events`, {
      events: [{ kind: "message", role: "assistant", text: `Done. ${answer}\nThanks.` }],
    });
    expect(said.status).toBe(201);
    const copied = await open("flag", { prompt: { text: `  ${answer.toUpperCase()} ` } }, "relay");
    expect(copied.status).toBe(201);
    expect(copied.body.prompt_ai.reason).toBe(
      `the prompt repeats the assistant's message of AI session ${plain.body.id}`,
    );
    const listed = await call("mia", "GET", `${base("flag")}/sessions/${copied.body.id}`);
    expect(listed.body.prompt_ai).toEqual(copied.body.prompt_ai);
    // Acting on it waits for a person, as for AI-generated context.
    await call("mia", "PUT", `${base("flag")}/sessions/${copied.body.id}/changes`, {
      changes: [{ path: "pool.txt", content: Buffer.from("pool\n").toString("base64") }],
    });
    const land = await call("mia", "POST", `${base("flag")}/sessions/${copied.body.id}/land`);
    expect(land.status).toBe(409);
    expect(land.body.rules).toEqual([
      expect.objectContaining({ rule: "cascade", prompt_ai: copied.body.prompt_ai.reason }),
    ]);

    const page = (await browsers.mia.get(`/acme/flag/sessions/${copied.body.id}`)).html;
    expect(page).toContain('id="prompt-ai"');
    expect(page).toContain("AI-generated prompt");
    expect(page).toContain("assistant&#39;s message of AI session");
    const ordinary = (await browsers.mia.get(`/acme/flag/sessions/${plain.body.id}`)).html;
    expect(ordinary).not.toContain('id="prompt-ai"');

    expect(markerReason("As an AI language model, I suggest: rename the module")).toContain(
      "as an ai language model",
    );
    expect(markerReason("I hope this helps the reviewers: rename the module")).not.toBeNull();
    expect(markerReason("Rename the module and help the reviewers")).toBeNull();
  });

  it("mails a kind of alert at most once per project in its window", async () => {
    const { alertProjectMaintainers } = await import("./maintainer-alerts.ts");
    const project = (await call("olivia", "GET", base("flag"))).body.id as string;
    const alert = { kind: "test.alert", subject: "Test alert", text: "First.\n\nSecond paragraph." };
    expect(await alertProjectMaintainers(f.forge.db, project, alert)).toEqual(["olivia", "otto"]);
    expect(await alertProjectMaintainers(f.forge.db, project, alert)).toEqual([]);
    expect(
      await alertProjectMaintainers(f.forge.db, project, {
        ...alert,
        kind: "other.alert",
        subject: "Other alert",
      }),
    ).toHaveLength(2);
    const mail = await smtp.next("otto@example.test", /Test alert/);
    expect(mail.text).toContain("Second paragraph.");
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.received.filter((m) => m.subject === "[acme/flag] Test alert")).toHaveLength(2);
  });

  it("shows values and thresholds on the settings page, where administrators set them", async () => {
    const page = "/acme/rej/settings/agents/noise";
    const html = (await browsers.olivia.get(page)).html;
    expect(html).toContain('id="noise-rejections_per_day"');
    expect(html).toMatch(/id="noise-rejections_per_day"[\s\S]*?<td>2<\/td>[\s\S]*?value="2"/);
    expect(html).toContain('id="noise-last-trip"');
    expect((await browsers.olivia.get("/acme/rej/settings")).html).toContain(
      "/acme/rej/settings/agents/noise",
    );
    const saved = await browsers.olivia.submit(page, page, {
      rejections_per_day: "5",
      sessions_per_hour: "",
    });
    expect(saved.status).toBe(303);
    const noise = (await call("olivia", "GET", `${base("rej")}/agents/noise`)).body;
    expect(noise.metrics.find((m: { metric: string }) => m.metric === "rejections_per_day").threshold).toBe(
      5,
    );
    const refused = await browsers.mia.submit(page, page, { rejections_per_day: "1" });
    expect(refused.status).toBe(403);
    expect((await call("olivia", "GET", `${base("rej")}/agents/noise`)).body.metrics[1].threshold).toBe(5);
  });
});
