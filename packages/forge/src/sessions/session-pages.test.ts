// Session and activity pages on a real forge: the list with its filters, pages and empty
// state; a session's goal, agent and transparency badge, timeline (every event kind, all
// text escaped), diff, land status, and the conflict details after a refused land; the
// activity by position; private projects are 404 to anonymous visitors and non-members.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type SessionApi, sessionApi } from "./session-pages-fixture.ts";

const XSS = '<script>alert("x")</script>';

describe("session pages", () => {
  let f: TestForge;
  let ada: Awaited<ReturnType<typeof userWithToken>>;
  let eve: Awaited<ReturnType<typeof userWithToken>>;
  let demo: SessionApi;
  const ids: Record<string, string> = {};

  const get = async (path: string, token?: string) => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const goals = (html: string) => [...html.matchAll(/class="session-goal-link">([^<]*)</g)].map((m) => m[1]);

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    eve = await userWithToken(f.url, "eve");
    for (const [handle, visibility] of [
      ["demo", "public"],
      ["secret", "private"],
      ["quiet", "public"],
      ["busy", "public"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: ada.token,
        json: { handle, visibility },
      });
      expect(r.status).toBe(201);
    }
    demo = sessionApi(f.url, ada.token, "ada", "demo");
    const agent = { name: "claude-code", model: "opus", version: "4.1" };
    const s1 = await demo.open("Add a greeting", {
      agent,
      origin: "ai-generated",
      prompt: {
        text: `Please add a greeting ${XSS}`,
        system: "Be brief",
        environment: { harness: "cli" },
        cost_usd: 0.031,
      },
    });
    await demo.events(s1.id, [
      { kind: "prompt", text: `Please add a greeting ${XSS}`, tokens: 12 },
      { kind: "message", role: "assistant", text: "I will add greet.txt", tokens: 30 },
      { kind: "decision", text: "Plain text file", rationale: "No build step needed" },
      { kind: "tool_call", tool: "write_file", input: { path: "greet.txt" }, output: "written", ok: true },
      { kind: "status", status: "testing", text: "running checks" },
      { kind: "progress", text: "checks", done: 2, total: 4 },
      { kind: "output", text: "2 passed\n0 failed" },
      { kind: "error", text: "flaky network", code: "E_NET" },
      { kind: "artifact", name: "report.html", url: "https://example.test/report.html" },
      { kind: "artifact", name: "sneaky", url: "javascript:alert(1)" },
    ]);
    await demo.change(s1.id, { "greet.txt": "hello\nworld\n" });
    expect((await demo.land(s1.id)).status).toBe(200);
    const s2 = await demo.open("Change the greeting too", { base: 0 });
    await demo.change(s2.id, { "greet.txt": "hi there\n" });
    expect((await demo.land(s2.id)).status).toBe(409);
    const s3 = await demo.open("An idea dropped");
    await demo.abandon(s3.id);
    const s4 = await demo.open("Work in progress", {
      agent: { name: "aider" },
      prompt: { text: "Start the notes file" },
      origin: "ai-assisted",
    });
    await demo.change(s4.id, { "notes.md": "# Notes\n" });
    Object.assign(ids, { s1: s1.id, s2: s2.id, s3: s3.id, s4: s4.id });
    const secret = sessionApi(f.url, ada.token, "ada", "secret");
    const hidden = await secret.open("Hidden work");
    await secret.change(hidden.id, { "x.txt": "x\n" });
    expect((await secret.land(hidden.id)).status).toBe(200);
    ids.hidden = hidden.id;
  });
  afterAll(() => f.close());

  it("lists sessions newest first, with badges", async () => {
    const page = await get("/ada/demo/sessions");
    expect(page.status).toBe(200);
    expect(goals(page.text)).toEqual([
      "Work in progress",
      "An idea dropped",
      "Change the greeting too",
      "Add a greeting",
    ]);
    expect(page.text).toContain("AI-generated");
    expect(page.text).toContain("AI-assisted");
    expect(page.text).toContain(`href="/ada/demo/sessions/${ids.s1}"`);
    expect(page.text).toContain('<form method="get" action="/ada/demo/sessions"');
  });

  it("filters by status, origin and agent, ignoring unknown values", async () => {
    expect(goals((await get("/ada/demo/sessions?status=landed")).text)).toEqual(["Add a greeting"]);
    expect(goals((await get("/ada/demo/sessions?status=open")).text)).toEqual([
      "Work in progress",
      "Change the greeting too",
    ]);
    expect(goals((await get("/ada/demo/sessions?origin=ai-generated")).text)).toEqual(["Add a greeting"]);
    expect(goals((await get("/ada/demo/sessions?agent=aider&status=open")).text)).toEqual([
      "Work in progress",
    ]);
    expect(goals((await get("/ada/demo/sessions?status=bogus&origin=%3Cx%3E")).text)).toHaveLength(4);
    const none = await get("/ada/demo/sessions?agent=nobody");
    expect(none.text).toContain("No sessions match these filters");
    expect(none.text).toContain('value="nobody"');
  });

  it("pages with ?before, keeping the filters", async () => {
    const busy = sessionApi(f.url, ada.token, "ada", "busy");
    for (let i = 1; i <= 32; i++) await busy.open(`Task ${i}`);
    const first = await get("/ada/busy/sessions?status=open");
    const shown = goals(first.text);
    expect(shown).toHaveLength(30);
    expect(shown[0]).toBe("Task 32");
    const older = /href="(\/ada\/busy\/sessions\?[^"]*before=[^"]+)">Older/.exec(first.text)?.[1];
    expect(older).toContain("status=open");
    const second = await get(older!.replaceAll("&amp;", "&"));
    expect(goals(second.text)).toEqual(["Task 2", "Task 1"]);
    expect(second.text).not.toContain("Older →");
    expect(second.text).toContain("← Newest");
  });

  it("explains how to open a session when there is none", async () => {
    const page = await get("/ada/quiet/sessions");
    expect(page.text).toContain("No sessions yet");
    expect(page.text).toContain("mic session start");
    expect(page.text).toContain("/api/v1/projects/ada/quiet/sessions");
    const activity = await get("/ada/quiet/activity");
    expect(activity.text).toContain("Nothing has landed on trunk yet");
  });

  it("shows a landed session: goal, agent, badge, counts, timeline and diff", async () => {
    const page = await get(`/ada/demo/sessions/${ids.s1}`);
    expect(page.status).toBe(200);
    const t = page.text;
    expect(t).toContain('<h2 class="session-goal">Add a greeting</h2>');
    expect(t).toContain('class="badge session-status status-landed"');
    expect(t).toContain(">AI-generated</span>");
    expect(t).toMatch(/agent-name">claude-code<.*agent-model"> opus<.*agent-version"> v4\.1</s);
    expect(t).toContain("Landed at position <strong>1</strong>");
    expect(t).toMatch(/href="\/ada\/demo\/commit\/[0-9a-f]{40}"><code>[0-9a-f]{7}<\/code>/);
    expect(t).toContain("12 in · 30 out");
    // The prompt request beside the result, escaped.
    const panel = t.slice(t.indexOf('class="card prompt-panel"'), t.indexOf('<div class="result">'));
    expect(panel).toContain('<pre class="prompt-text">Please add a greeting &lt;script&gt;');
    expect(panel).not.toContain("<script>");
    expect(panel).toContain("Be brief");
    expect(panel).toContain("<code>harness</code>=cli");
    expect(panel).toContain("$0.03");
    expect(panel).toContain("1 (an agent on a person&#39;s request)");
    expect(t.indexOf('<div class="result">')).toBeLessThan(t.indexOf('id="change-title"'));
    expect(t).toContain(">+2</span>");
    // The timeline: each kind its own way, all text escaped.
    for (const cls of ["ev-prompt", "ev-message ev-role-assistant", "ev-decision", "ev-tool_call"])
      expect(t).toContain(`class="ev ${cls}`);
    expect(t).toContain("Message · assistant");
    expect(t).toContain("<strong>Why:</strong> No build step needed");
    expect(t).toMatch(/<details class="ev-tool"><summary><code>write_file<\/code><span class="badge ok">ok/);
    expect(t).toContain('<progress value="2" max="4">');
    expect(t).toContain('<pre class="ev-output ev-terminal">2 passed\n0 failed</pre>');
    expect(t).toContain('<code class="ev-code">E_NET</code>');
    expect(t).toContain('<a href="https://example.test/report.html" rel="nofollow noopener noreferrer">');
    expect(t).not.toContain('href="javascript:');
    expect(t).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(t).not.toContain(XSS);
    // The change: the landed commit against its parent.
    expect(t).toContain("The landed commit against its parent on trunk.");
    expect(t).toContain('<tr class="d-add"><td class="lc">+hello</td></tr>');
    expect(t).not.toContain("data-session-live");
    expect(t).not.toContain("Last land refused");
  });

  it("shows the last conflict of an open session, path by path, and its own change", async () => {
    const t = (await get(`/ada/demo/sessions/${ids.s2}`)).text;
    expect(t).toContain('class="badge session-status status-open"');
    expect(t).toContain("Open: not landed yet");
    expect(t).toContain("Last land refused: conflicts");
    expect(t).toContain('<code class="conflict-path">greet.txt</code>');
    expect(t).toContain("landed at position <strong>1</strong>");
    expect(t).toContain(`<a href="/ada/demo/sessions/${ids.s1}">Add a greeting</a>`);
    expect(t).toContain("The session&#39;s change against its base (position 0).");
    expect(t).toContain('<tr class="d-add"><td class="lc">+hi there</td></tr>');
    expect(t).toMatch(
      /data-session-live="true" data-session="[0-9A-Z]{26}" data-events="\/api\/v1\/projects\/ada\/demo\/events" data-after="\d+"/,
    );
    expect(t).toContain('<script src="/assets/session-live.js" defer="">');
    expect(t).toContain("No conversation recorded.");
  });

  it("shows abandoned sessions and sessions without changes", async () => {
    const t = (await get(`/ada/demo/sessions/${ids.s3}`)).text;
    expect(t).toContain("Abandoned");
    expect(t).toContain("No changes uploaded yet.");
    expect(t).not.toContain("data-session-live");
    const wip = (await get(`/ada/demo/sessions/${ids.s4}`)).text;
    expect(wip).toContain('<tr class="d-add"><td class="lc">+# Notes</td></tr>');
    expect(wip).toContain(">AI-assisted</span>");
  });

  it("pages a long conversation", async () => {
    const long = await demo.open("Chatty");
    await demo.events(
      long.id,
      Array.from({ length: 302 }, (_, i) => ({ kind: "progress", text: `step ${i + 1}` })),
    );
    const first = (await get(`/ada/demo/sessions/${long.id}`)).text;
    expect(first).toContain('id="event-300"');
    expect(first).not.toContain('id="event-301"');
    expect(first).toContain(`href="/ada/demo/sessions/${long.id}?after=300">Later events`);
    const later = (await get(`/ada/demo/sessions/${long.id}?after=300`)).text;
    expect([...later.matchAll(/id="event-(\d+)"/g)].map((m) => m[1])).toEqual(["301", "302"]);
    expect(later).toContain("← From the start");
    await demo.abandon(long.id);
  });

  it("lists landings by position, newest first, with pages", async () => {
    const s5 = await demo.open("Second landing", {
      agent: { name: "codex", model: "gpt" },
      prompt: { text: "Land again" },
    });
    await demo.change(s5.id, { "other.txt": "o\n" });
    expect((await demo.land(s5.id)).status).toBe(200);
    const page = await get("/ada/demo/activity");
    expect(page.status).toBe(200);
    const positions = [...page.text.matchAll(/<span class="position"[^>]*>#(\d+)<\/span>/g)].map((m) => m[1]);
    expect(positions).toEqual(["2", "1"]);
    expect(page.text).toContain(
      `<a href="/ada/demo/sessions/${s5.id}" class="activity-goal">Second landing</a>`,
    );
    expect(page.text).toMatch(/agent-name">codex<\/span><span class="agent-model"> gpt/);
    expect(page.text).toMatch(/href="\/ada\/demo\/commit\/[0-9a-f]{40}"/);
    const older = await get("/ada/demo/activity?before=2");
    expect([...older.text.matchAll(/class="position"[^>]*>#(\d+)/g)].map((m) => m[1])).toEqual(["1"]);
    expect((await get("/ada/demo/activity?before=x")).status).toBe(200);
  });

  it("links Sessions and Activity from the project page", async () => {
    const home = await get("/ada/demo");
    expect(home.text).toContain('href="/ada/demo/sessions"');
    expect(home.text).toContain('href="/ada/demo/activity"');
  });

  it("hides private projects' pages from anonymous visitors and non-members", async () => {
    const paths = ["/ada/secret/sessions", `/ada/secret/sessions/${ids.hidden}`, "/ada/secret/activity"];
    for (const path of paths) {
      const anon = await get(path);
      expect(anon.status, path).toBe(404);
      expect(anon.text).not.toContain("Hidden work");
      const other = await get(path, eve.token);
      expect(other.status, path).toBe(404);
      expect(other.text).not.toContain("Hidden work");
      const owner = await get(path, ada.token);
      expect(owner.status, path).toBe(200);
      expect(owner.text).toContain("Hidden work");
      expect(owner.headers.get("cache-control")).toContain("private");
    }
  });

  it("answers 404 for unknown sessions and sessions of another project", async () => {
    expect((await get("/ada/demo/sessions/not-a-session")).status).toBe(404);
    expect((await get("/ada/demo/sessions/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await get(`/ada/demo/sessions/${ids.hidden}`, ada.token)).status).toBe(404);
    expect((await get(`/ada/nope/sessions`)).status).toBe(404);
  });

  it("serves the live script as a same-origin asset", async () => {
    const res = await fetch(`${f.url}/assets/session-live.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/javascript");
    expect(await res.text()).toContain("EventSource");
  });
});
