// Platform limits on a real forge with small thresholds: failed sign-ins (web form and Basic
// passwords) are refused with 429 and Retry-After past the allowance, with the same answer
// for an unknown account and a wrong password; the project after the limit is refused with
// problem+json naming the limit (API, web form, fork) until an administrator raises it; agent
// tokens get their own rate-limit tier.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;
const MAX_FAILURES = 3;

describe("platform limits", () => {
  let f: TestForge;
  let ada: User; // administrator
  let bob: User;

  beforeAll(async () => {
    f = await startTestForge({
      MICELIO_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      MICELIO_PROJECT_LIMIT: "2",
      MICELIO_RATE_LIMIT_USER: "5000",
      MICELIO_RATE_LIMIT_AGENT: "7777",
    });
    ada = await userWithToken(f.url, "ada", ["project:read", "project:write", "admin"]);
    bob = await userWithToken(f.url, "bob");
  });
  afterAll(() => f?.close());

  it("answers failed web sign-ins the same for an unknown account and a wrong password, then 429 with Retry-After", async () => {
    const b = new Browser(f.url);
    // The two logins have the same length; the form echoes the name, so compare with it swapped.
    const tries = async (login: string) => {
      const out = [];
      for (let i = 0; i <= MAX_FAILURES; i++) {
        const r = await b.submit("/login", "/login", { login, password: "wrong-password-1" });
        out.push(r);
      }
      return out;
    };
    const wrong = await tries("bob");
    const unknown = await tries("zed");
    expect(wrong.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(unknown.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    for (let i = 0; i <= MAX_FAILURES; i++) {
      expect(unknown[i].html.replaceAll('value="zed"', 'value="bob"')).toBe(wrong[i].html);
    }
    expect(wrong[3].html).toContain("Too many failed sign-ins");
    // Past the allowance even the right password is not checked.
    const right = await b.submit("/login", "/login", { login: "bob", password: bob.password });
    expect(right.status).toBe(429);
    const res = await fetch(`${f.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: b.cookieHeader },
      body: new URLSearchParams({
        _csrf: /name="_csrf" value="([^"]+)"/.exec(right.html)![1],
        login: "bob",
        password: "x",
      }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    // Failed sign-ins of an existing account are security events with the address.
    const events = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "target", "ip"])
      .where("action", "=", "auth.sign_in_failed")
      .where("target", "=", "bob")
      .execute();
    expect(events.length).toBe(MAX_FAILURES);
    expect(events[0].ip).toMatch(/127\.0\.0\.1/);
  });

  it("throttles Basic passwords on the API with byte-identical answers for unknown and known accounts", async () => {
    const attempt = (login: string) =>
      fetch(`${f.url}/api/v1/user`, {
        headers: { authorization: `Basic ${Buffer.from(`${login}:not-it-at-all`).toString("base64")}` },
      });
    const known: [number, string, string | null][] = [];
    const unknown: [number, string, string | null][] = [];
    for (let i = 0; i <= MAX_FAILURES; i++) {
      const a = await attempt("ada");
      known.push([a.status, await a.text(), a.headers.get("retry-after")]);
      const u = await attempt("nobody-here");
      unknown.push([u.status, await u.text(), u.headers.get("retry-after")]);
    }
    expect(known.map((k) => k[0])).toEqual([401, 401, 401, 429]);
    expect(unknown.map((k) => k[0])).toEqual([401, 401, 401, 429]);
    for (let i = 0; i < MAX_FAILURES; i++) expect(unknown[i][1]).toBe(known[i][1]);
    expect(known[3][2]).toMatch(/^\d+$/);
    expect(JSON.parse(known[3][1]).detail).toMatch(/Too many failed sign-ins/);
    // A token still works for the throttled account: only passwords are held back.
    expect((await api(f.url, "GET", "/api/v1/user", { token: ada.token })).status).toBe(200);
  });

  it("holds back parallel guesses: never more than the allowance reach the password check", async () => {
    const login = "parallel-guesser";
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${f.url}/api/v1/user`, {
          headers: { authorization: `Basic ${Buffer.from(`${login}:guess`).toString("base64")}` },
        }).then((r) => r.status),
      ),
    );
    expect(answers.filter((s) => s === 401)).toHaveLength(MAX_FAILURES);
    expect(answers.filter((s) => s === 429)).toHaveLength(12 - MAX_FAILURES);
  });

  it("refuses the project after the limit with problem+json naming it, until an administrator raises it", async () => {
    const create = (handle: string) =>
      api(f.url, "POST", "/api/v1/projects", { token: bob.token, json: { handle, visibility: "public" } });
    expect((await create("one")).status).toBe(201);
    expect((await create("two")).status).toBe(201);
    const refused = await create("three");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: "https://micelio.dev/problems/project-limit",
      status: 403,
      limit: 2,
      projects: 2,
    });
    expect(refused.body.detail).toContain("You have reached your limit of 2 projects");

    // Forks count too.
    const fork = await api(f.url, "POST", "/api/v1/projects/bob/one/forks", {
      token: bob.token,
      json: { handle: "one-fork" },
    });
    expect(fork.status).toBe(403);
    expect(fork.body.limit).toBe(2);

    // So does the web form, which shows the reason.
    const web = new Browser(f.url);
    const login = await web.submit("/login", "/login", { login: "bob@example.test", password: bob.password });
    expect(login.status).toBe(303);
    const form = await web.submit("/new", "/new", { handle: "three", visibility: "public" });
    expect(form.status).toBe(403);
    expect(form.html).toContain("You have reached your limit of 2 projects");

    // Non-administrators cannot raise it (the route does not exist for them).
    const selfRaise = await api(f.url, "PATCH", "/api/v1/admin/users/bob", {
      token: bob.token,
      json: { project_limit: 10 },
    });
    expect(selfRaise.status).toBe(404);

    const raised = await api(f.url, "PATCH", "/api/v1/admin/users/bob", {
      token: ada.token,
      json: { project_limit: 3 },
    });
    expect(raised.status).toBe(200);
    expect(raised.body).toEqual({
      handle: "bob",
      project_limit: 3,
      effective_limit: 3,
      default_limit: 2,
      projects: 2,
    });
    expect((await create("three")).status).toBe(201);
    expect((await create("four")).body.limit).toBe(3);

    const audit = await f.forge.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "account.project_limit")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor: "ada", target: "bob" });
    expect(audit.data).toEqual({ from: null, to: 3 });

    expect(
      (
        await api(f.url, "PATCH", "/api/v1/admin/users/bob", {
          token: ada.token,
          json: { project_limit: -1 },
        })
      ).status,
    ).toBe(400);
  });

  it("counts an organization's projects against the organization's own limit", async () => {
    const org = await api(f.url, "POST", "/api/v1/orgs", { token: bob.token, json: { handle: "acme" } });
    expect(org.status).toBe(201);
    const inOrg = (handle: string) =>
      api(f.url, "POST", "/api/v1/projects", { token: bob.token, json: { handle, owner: "acme" } });
    expect((await inOrg("x")).status).toBe(201);
    expect((await inOrg("y")).status).toBe(201);
    const refused = await inOrg("z");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ limit: 2, owner: "acme" });
    expect(refused.body.detail).toContain("acme has reached its limit of 2 projects");
  });

  it("lets an administrator set the limit on the account page", async () => {
    const admin = new Browser(f.url);
    await admin.submit("/login", "/login", { login: "ada@example.test", password: ada.password });
    const page = await admin.get("/admin/users/bob");
    expect(page.html).toContain("Owns 3 of 3 projects (set for this account).");
    const saved = await admin.submit("/admin/users/bob", "/admin/users/bob/project-limit", {
      project_limit: "",
    });
    expect(saved.status).toBe(303);
    expect((await admin.get("/admin/users/bob")).html).toContain(
      "Owns 3 of 2 projects (the instance default, 2).",
    );
    const bad = await admin.submit("/admin/users/bob", "/admin/users/bob/project-limit", {
      project_limit: "lots",
    });
    expect(bad.status).toBe(400);
    // Someone else gets 404 for the form's target.
    const bobWeb = new Browser(f.url);
    await bobWeb.submit("/login", "/login", { login: "bob@example.test", password: bob.password });
    const denied = await bobWeb.submit("/", "/admin/users/bob/project-limit", { project_limit: "50" });
    expect(denied.status).toBe(404);
  });

  it("gives agent tokens their own rate-limit tier and states it", async () => {
    const cat = await userWithToken(f.url, "cat");
    const agent = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["cat", cat.password],
      json: { name: "my agent", scopes: ["project:read"], agent: true },
    });
    expect(agent.status).toBe(201);
    expect(agent.body.agent).toBe(true);
    const asAgent = await api(f.url, "GET", "/api/v1/user", { token: agent.body.token });
    expect(asAgent.headers.get("ratelimit-tier")).toBe("agent");
    expect(asAgent.headers.get("ratelimit-limit")).toBe("7777");
    const asUser = await api(f.url, "GET", "/api/v1/user", { token: cat.token });
    expect(asUser.headers.get("ratelimit-tier")).toBe("user");
    expect(asUser.headers.get("ratelimit-limit")).toBe("5000");
    const anon = await api(f.url, "GET", "/api/v1/projects/bob/one");
    expect(anon.headers.get("ratelimit-tier")).toBe("anonymous");
    expect(anon.headers.get("ratelimit-limit")).toBe("100000");
  });
});
