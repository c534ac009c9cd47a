// Token scopes hold on every route, as a class: the test walks every operation of the served
// /api/openapi.json. Each declares what it needs (x-scope: a scope, "public", "signed-in" or
// "password"); every non-GET one is called with path parameters that name real things (the
// administrator's own org, project, session, token...) and a plausible body, by a token with
// every scope but the declared one and by a project:read token, and must answer 403
// problem+json (404 for the administration area, which stays hidden) with nothing stored
// changed. Then a few routes are called with just the right
// scope (and with the password) to show the scope is enough.
import { SCOPES, type Scope } from "@micelio/core";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/schema.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

type Operation = { "x-scope"?: string; security?: Record<string, string[]>[] };
type Account = Awaited<ReturnType<typeof userWithToken>>;

/** Bodies that would succeed with the right scope (others get `{}`: refused before validation). */
const BODIES: Record<string, unknown> = {
  "POST /v1/orgs": { handle: "neworg" },
  "PATCH /v1/orgs/{org}": { name: "Renamed" },
  "PUT /v1/orgs/{org}/members/{user}": { role: "owner" },
  "PATCH /v1/user": { name: "Renamed", bio: "changed" },
  "POST /v1/projects": { handle: "newproject" },
  "PATCH /v1/projects/{owner}/{project}": { description: "changed" },
  "POST /v1/projects/{owner}/{project}/forks": { owner: "acme" },
  "POST /v1/projects/{owner}/{project}/sessions": { goal: "sneak in" },
  "POST /v1/projects/{owner}/{project}/sessions/{id}/events": {
    events: [{ type: "note", text: "x" }],
  },
  "PUT /v1/projects/{owner}/{project}/sessions/{id}/changes": {
    changes: [{ path: "x.txt", content: Buffer.from("x").toString("base64") }],
  },
  "POST /v1/projects/{owner}/{project}/sessions/{id}/comments": { body: "sneak in" },
  "PATCH /v1/projects/{owner}/{project}/sessions/{id}/comments/{comment}": { resolved: true },
  "POST /v1/tokens": { name: "minted", scopes: ["project:read"] },
  "PUT /v1/user/email": { email: "new@example.test", password: "pw-ada-secret" },
  "PUT /v1/admin/registration": { mode: "closed" },
  "POST /v1/admin/invites": { note: "x" },
  "PATCH /v1/admin/users/{handle}": { project_limit: 1 },
  "POST /v1/admin/projects/{owner}/{project}/transfer": { owner: "acme" },
};

const TABLES: (keyof Database)[] = [
  "accounts",
  "org_members",
  "projects",
  "sessions",
  "session_events",
  "landings",
  "stars",
  "follows",
  "api_tokens",
  "web_sessions",
  "device_authorizations",
  "invites",
  "instance_settings",
  "email_tokens",
  "jobs",
  "review_queue",
  "audit_log",
  "project_events",
  "session_comments",
  "project_agent_policies",
  "agent_vouches",
  "webhooks",
  "webhook_deliveries",
  "project_review_budgets",
  "project_noise_thresholds",
  "agent_refusals",
  "maintainer_alerts",
  "signing_keys",
  "federation_keys",
  "federation_following",
  "federation_inbox",
  "federation_replies",
];

describe("token scopes on every API route", () => {
  let f: TestForge;
  let ada: Account;
  let ops: { method: string; path: string; op: Operation }[];
  const params: Record<string, string> = {
    owner: "ada",
    project: "demo",
    org: "acme",
    user: "bob",
    name: "helper-bot",
    delivery: "d0",
  };
  /** Ids by the path segment before {id}, most specific first. */
  const ids: [string, string][] = [];
  /** Ada's tokens: every scope but the key, and project:read alone. */
  const allBut = {} as Record<Scope, string>;
  let readOnly: string;

  const token = async (scopes: string[]) => {
    const r = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [ada.handle, ada.password],
      json: { name: scopes.join(" "), scopes },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; token: string };
  };
  const as = (tok: string, method: string, path: string, json?: unknown) =>
    api(f.url, method, path, { token: tok, json });

  /** Every row the forge keeps, but the last-used stamps that any authenticated call moves. */
  // The job runner's own columns move whenever the worker gets to a queued job (set-up
  // queues mail), and a sent mail's payload loses its one-time token: a job counts by its
  // row (a refused request must not add one), not by how far the worker has come.
  const RUNNER = "{payload,state,attempts,run_at,unique_key,locked_by,locked_at,last_error,finished_at}";
  // The fan-outs of webhooks, notifications and federation follow the set-up's project events
  // on their own time (their jobs appear whenever the bus says so), not any request.
  const FAN_OUT = sql`where t.kind not in ('webhooks.fanout', 'notifications.fanout', 'federation.publish')`;
  async function fingerprint() {
    const out: Record<string, string> = {};
    for (const table of TABLES) {
      const { rows } = await sql<{ h: string | null }>`
        select md5(string_agg(r::text, ',' order by r::text)) as h
        from (select to_jsonb(t) - 'last_used_at' - ${sql.lit(table === "jobs" ? RUNNER : "{}")}::text[] as r
              from ${sql.table(table)} t ${table === "jobs" ? FAN_OUT : sql``}) x`.execute(f.forge.db);
      out[table] = rows[0]?.h ?? "";
    }
    return out;
  }

  /** The operation's path with its parameters filled in with real things. */
  function fill(path: string) {
    return `/api${path}`.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === "id") return ids.find(([segment]) => path.includes(`/${segment}/{id}`))?.[1] ?? "1";
      if (name === "handle") return "bob";
      const v = params[name];
      if (!v) throw new Error(`no value for {${name}} in ${path}`);
      return v;
    });
  }

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada", [...SCOPES]); // the first account: an administrator
    await userWithToken(f.url, "bob");
    const full = ada.token;
    expect((await as(full, "POST", "/api/v1/orgs", { handle: "acme" })).status).toBe(201);
    expect((await as(full, "PUT", "/api/v1/orgs/acme/members/bob", { role: "member" })).status).toBe(200);
    expect((await as(full, "POST", "/api/v1/projects", { handle: "demo" })).status).toBe(201);
    const session = await as(full, "POST", "/api/v1/projects/ada/demo/sessions", { goal: "work" });
    expect(session.status).toBe(201);
    const comment = await as(full, "POST", `/api/v1/projects/ada/demo/sessions/${session.body.id}/comments`, {
      body: "a remark",
    });
    expect(comment.status).toBe(201);
    params.comment = comment.body.id;
    const spare = await token(["project:read"]);
    const invite = await as(full, "POST", "/api/v1/admin/invites", {});
    expect(invite.status).toBe(201);

    const web = new Browser(f.url);
    expect((await web.submit("/login", "/login", { login: "ada", password: ada.password })).status).toBe(303);
    const sessions = await as(full, "GET", "/api/v1/user/sessions");
    const webSession = (sessions.body.items ?? sessions.body)[0]?.id;
    ids.push(
      ["user/sessions", webSession],
      ["sessions", session.body.id],
      ["tokens", spare.id],
      ["invites", invite.body.id],
    );
    const device = await api(f.url, "POST", "/api/v1/device/code", { json: {} });
    params.user_code = device.body.user_code;
    for (const scope of SCOPES) allBut[scope] = (await token(SCOPES.filter((s) => s !== scope))).token;
    readOnly = (await token(["project:read"])).token;
    const doc = (await api(f.url, "GET", "/api/openapi.json")).body;
    ops = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  }, 120_000);
  afterAll(() => f?.close());

  it("every operation declares its scope, and security lists it", () => {
    expect(ops.length).toBeGreaterThan(50);
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      const declared = op["x-scope"];
      expect([...SCOPES, "public", "signed-in", "password"], where).toContain(declared);
      // A change is either open to anyone or asks for something definite.
      if (method !== "GET") expect(declared, where).not.toBe("signed-in");
      if ((SCOPES as readonly string[]).includes(declared ?? "")) {
        expect(op.security, where).toContainEqual({ bearerAuth: [declared] });
      }
    }
  });

  it("refuses every non-GET route to a token without its scope (403, nothing changes)", async () => {
    const before = await fingerprint();
    const checked: string[] = [];
    for (const { method, path, op } of ops) {
      if (method === "GET") continue;
      const declared = op["x-scope"] as string;
      if (declared === "public") continue;
      const key = `${method} ${path}`;
      const url = fill(path);
      let body = BODIES[key] ?? {};
      if (path.startsWith("/v1/device/")) body = { user_code: params.user_code };
      const without =
        declared === "password" ? [allBut.admin, ada.token] : [allBut[declared as Scope], readOnly];
      // The administration area does not exist without the admin scope (404), as for non-admins.
      const refusal = declared === "admin" ? 404 : 403;
      for (const tok of declared === "project:read" ? without.slice(0, 1) : without) {
        const r = await as(tok, method, url, body);
        expect(r.status, `${key} (${url}): ${JSON.stringify(r.body)}`).toBe(refusal);
        expect(r.headers.get("content-type"), key).toContain("application/problem+json");
      }
      // Without any credential the handler refuses (401, 403, or 404 for what an anonymous
      // visitor may not know of; 400 if the input is checked first): never a success.
      const anon = await api(f.url, method, url, { json: body });
      expect(anon.status >= 400 && anon.status < 500, `${key} anonymous: ${anon.status}`).toBe(true);
      checked.push(key);
    }
    // The routes of the report that started this: orgs and profiles.
    expect(checked).toEqual(
      expect.arrayContaining([
        "POST /v1/orgs",
        "PUT /v1/orgs/{org}/members/{user}",
        "DELETE /v1/orgs/{org}/members/{user}",
        "PATCH /v1/user",
        "PATCH /v1/orgs/{org}",
      ]),
    );
    expect(await fingerprint()).toEqual(before);
  });

  it("lets a token with just the declared scope through", async () => {
    const only = async (scope: Scope) => (await token([scope])).token;
    const org = await only("org:admin");
    expect((await as(org, "POST", "/api/v1/orgs", { handle: "scoped-org" })).status).toBe(201);
    expect((await as(org, "PUT", "/api/v1/orgs/acme/members/bob", { role: "owner" })).status).toBe(200);
    const user = await only("user");
    const renamed = await as(user, "PATCH", "/api/v1/user", { name: "Ada L." });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Ada L.");
    expect((await as(user, "PUT", "/api/v1/user/following/bob")).status).toBe(204);
    const write = await only("project:write");
    expect((await as(write, "POST", "/api/v1/projects", { handle: "scoped" })).status).toBe(201);
  });

  it("gives the password full access, as web sessions have", async () => {
    const r = await api(f.url, "PATCH", "/api/v1/orgs/acme", {
      basic: [ada.handle, ada.password],
      json: { name: "Acme Inc." },
    });
    expect(r.status).toBe(200);
  });
});
