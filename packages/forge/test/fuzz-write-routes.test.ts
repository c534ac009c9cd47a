// Fuzzes every write route of /api/openapi.json and the git smart HTTP endpoints with bad
// bodies (fuzz-bodies.ts: malformed, truncated, oversized, deeply nested, wrongly encoded,
// wrong types, prototype keys) against real targets. Every answer is a 4xx (problem+json
// from the API) or, from git, a protocol error; never a 5xx; the forge stays up; and the
// database and every repository's refs are the same afterwards as before.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCOPES } from "@micelio/core";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../src/testing/client.ts";
import { startTestForge, type TestForge } from "../src/testing/forge.ts";
import { runGit } from "../src/testing/git.ts";
import { envelopeCases, type FuzzCase, schemaCases } from "./fuzz-bodies.ts";
import { smartHttpCases } from "./fuzz-git.ts";

const SEED = 20_240_611;
const RANDOM_RUNS = 2;
const work = mkdtempSync(join(tmpdir(), "micelio-fuzz-"));
type User = Awaited<ReturnType<typeof userWithToken>>;

/**
 * What changes in the database without any fuzzed request having an effect, left out of
 * the snapshot:
 * - api_tokens.last_used_at: set whenever a token authenticates, before the route reads its
 *   body (tokens/), so every fuzzed request with a token moves it.
 * - web_sessions.last_used_at, last_ip: the same for a signed-in browser.
 * - the job runner's columns of jobs: the worker runs the jobs the set-up push queued
 *   (repo.maintain waits 10 s) on its own schedule, whatever the fuzz does; a sent mail's
 *   payload loses its one-time token. A job a fuzzed request queued is still a new row; the
 *   scheduler's clock-driven jobs (unique key `cron:…`) are left out, as they may come due
 *   mid-test.
 */
const VOLATILE: Record<string, string[]> = {
  api_tokens: ["last_used_at"],
  web_sessions: ["last_used_at", "last_ip"],
  jobs: ["payload", "state", "attempts", "locked_by", "locked_at", "finished_at", "last_error", "run_at"],
  // The fan-outs' cursors follow the project events of the set-up, whenever their jobs run.
  webhook_cursor: ["event_id", "gaps"],
  notification_cursor: ["event_id", "gaps"],
  federation_cursor: ["event_id", "gaps"],
};
/** Jobs that follow the event stream on their own time (webhooks/, notifications/, federation/), not requests. */
const FAN_OUT_JOBS = new Set(["webhooks.fanout", "notifications.fanout", "federation.publish"]);

/**
 * After the smart HTTP phase, also left out (each by design, not an effect of a bad body):
 * - audit_log rows "push.refused": a push git refuses counts towards the failed-pushes abuse
 *   signal (abuse/), so each malformed receive-pack request is meant to leave one.
 */
const AFTER_PUSH = {
  rows: (table: string, row: Record<string, unknown>) =>
    table === "audit_log" && row.action === "push.refused",
  columns: {} as Record<string, string[]>,
};

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function send(base: string, method: string, path: string, c: FuzzCase, auth: Record<string, string>) {
  const init: RequestInit & { duplex?: string } = {
    method,
    headers: { ...auth, ...c.headers },
    body: c.body as RequestInit["body"],
    redirect: "manual",
  };
  if (c.body instanceof ReadableStream) init.duplex = "half";
  try {
    const res = await fetch(base + path, init);
    return {
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      text: await res.text(),
    } as Answer;
  } catch (err) {
    // The server may answer 413 and close before it reads the whole body: fetch then fails
    // on the upload. That is a refusal, not a crash (/health is checked after every route).
    return { status: 0, type: "", text: String((err as Error).cause ?? err) } as Answer;
  }
}

describe("fuzzing every write route and smart HTTP", () => {
  let f: TestForge;
  let admin: User;
  let doc: any;
  let before: Record<string, string[] | string>;
  const params: Record<string, string> = {};
  let failures: string[] = [];
  const note = (what: string, a: Answer) =>
    failures.push(`${what} → ${a.status} ${a.type} ${a.text.slice(0, 160).replace(/\s+/g, " ")}`);

  /** Every table's rows (less the volatile columns) and every repository's refs. */
  async function snapshot(skip?: typeof AFTER_PUSH) {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
      f.forge.db,
    );
    const out: Record<string, string[] | string> = {};
    for (const { table_name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(
        f.forge.db,
      );
      out[table_name] = rows.rows
        // The scheduler's own jobs (cron:…) come with the clock, not with any request.
        .filter((r) => !(table_name === "jobs" && String(r.unique_key ?? "").startsWith("cron:")))
        .filter((r) => !(table_name === "jobs" && FAN_OUT_JOBS.has(String(r.kind))))
        .filter((r) => !skip?.rows(table_name, r))
        .map((r) => {
          for (const col of [...(VOLATILE[table_name] ?? []), ...(skip?.columns[table_name] ?? [])])
            delete r[col];
          return JSON.stringify(r);
        })
        .sort();
    }
    const reposDir = join(f.dataDir, "repos");
    for (const name of readdirSync(reposDir).sort())
      out[`repo ${name}`] = await runGit(
        join(reposDir, name),
        "for-each-ref",
        "--format=%(refname) %(objectname)",
      );
    return out;
  }

  beforeAll(async () => {
    f = await startTestForge();
    admin = await userWithToken(f.url, "fuzzer", [...SCOPES]);
    await userWithToken(f.url, "victim");
    const call = async (method: string, path: string, json?: unknown, token = admin.token) => {
      const r = await api(f.url, method, `/api/v1${path}`, { token, json });
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    await call("POST", "/orgs", { handle: "fuzz-org" });
    await call("PUT", "/orgs/fuzz-org/members/victim", { role: "member" });
    await call("POST", "/projects", { handle: "open", visibility: "public" });
    await call("POST", "/projects", { handle: "closed", owner: "fuzz-org", visibility: "private" });
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "README.md"), "# fuzz target\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "first");
    for (const p of ["fuzzer/open", "fuzz-org/closed"]) {
      const u = new URL(`/${p}.git`, f.url);
      [u.username, u.password] = [admin.handle, admin.token];
      await runGit(src, "push", "-q", u.toString(), "main");
    }
    const session = await call("POST", "/projects/fuzzer/open/sessions", { goal: "a fuzz target" });
    const spare = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [admin.handle, admin.password],
      json: { name: "spare", scopes: ["project:read"] },
    });
    const invite = await call("POST", "/admin/invites", { note: "fuzz" });
    const browser = new Browser(f.url);
    expect(
      (await browser.submit("/login", "/login", { login: admin.handle, password: admin.password })).status,
    ).toBe(303);
    const web = await f.forge.db.selectFrom("web_sessions").select("id").executeTakeFirstOrThrow();
    const job = await f.forge.db.selectFrom("jobs").select("id").executeTakeFirst();
    Object.assign(params, {
      owner: "fuzzer",
      project: "open",
      org: "fuzz-org",
      user: "victim",
      handle: "victim",
      id: "",
      "user/sessions/{id}": web.id,
      "sessions/{id}": session.id,
      "tokens/{id}": spare.body.id,
      "jobs/{id}": String(job?.id ?? 1),
      "invites/{id}": invite.id,
      "review/{id}": "00000000-0000-0000-0000-000000000000",
    });
    doc = (await api(f.url, "GET", "/api/openapi.json")).body;
    // The set-up pushes queued README indexing: let it finish, or it lands mid-fuzz.
    for (let i = 0; i < 300; i++) {
      const busy = await f.forge.db
        .selectFrom("jobs")
        .select("id")
        .where("kind", "=", "search.readme")
        .where("state", "in", ["available", "running"])
        .executeTakeFirst();
      if (!busy) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    before = await snapshot();
  }, 60_000);

  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const fill = (path: string) =>
    path.replace(/\{(\w+)\}/g, (whole, name, at) => {
      const scoped = Object.entries(params).find(
        ([k]) => k.includes("/") && path.slice(0, at + whole.length).endsWith(k),
      );
      return scoped ? scoped[1] : (params[name] ?? "x");
    });

  it("refuses every bad body on every write route with a 4xx", async () => {
    const ops: Array<{ method: string; path: string; op: any }> = [];
    for (const [path, item] of Object.entries<any>(doc.paths))
      for (const method of ["post", "put", "patch", "delete"])
        if (item[method]) ops.push({ method: method.toUpperCase(), path, op: item[method] });
    expect(ops.length).toBeGreaterThan(40);
    let sent = 0;
    for (const [n, { method, path, op }] of ops.entries()) {
      const url = `/api${fill(path)}`;
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      const cases = [
        ...envelopeCases(schema, doc),
        ...(schema ? schemaCases(schema, doc, SEED + n, RANDOM_RUNS) : []),
      ];
      // Routes that take no token (password or web session only) are fuzzed with the password.
      const bearer = (op.security ?? []).some((s: object) => "bearerAuth" in s) || !op.security;
      const auth = bearer
        ? { authorization: `Bearer ${admin.token}` }
        : { authorization: `Basic ${Buffer.from(`${admin.handle}:${admin.password}`).toString("base64")}` };
      for (const c of cases) {
        const a = await send(f.url, method, url, c, auth);
        sent++;
        const what = `${method} ${url} [${c.name}]`;
        if (a.status === 0 && /413|EPIPE|ECONNRESET|other side closed|UND_ERR/i.test(a.text)) continue;
        if (a.status < 400 || a.status >= 500) note(what, a);
        else if (!/^application\/problem\+json/.test(a.type)) note(`${what} (not problem+json)`, a);
      }
      const health = await fetch(`${f.url}/health`);
      expect(health.status, `/health after ${method} ${path}`).toBe(200);
    }
    expect(failures, `${failures.length} bad answers of ${sent}`).toEqual([]);
  }, 240_000);

  it("changed nothing stored through the API", async () => {
    expect(await snapshot()).toEqual(before);
    // No request polluted Object.prototype in this process (the forge runs in it).
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    before = await snapshot(AFTER_PUSH);
  });

  it("refuses malformed smart HTTP requests with a 4xx or a git protocol error", async () => {
    failures = [];
    const creds = Buffer.from(`${admin.handle}:${admin.token}`).toString("base64");
    for (const c of smartHttpCases(["fuzzer/open", "fuzz-org/closed"])) {
      const a = await send(
        f.url,
        c.method,
        c.path,
        c,
        c.anonymous ? {} : { authorization: `Basic ${creds}` },
      );
      const what = `${c.method} ${c.path} [${c.name}]${c.anonymous ? " anonymous" : ""}`;
      if (a.status >= 500 || a.status === 0) note(what, a);
      else if (a.status === 200 && !c.mayAnswer200) note(`${what} (accepted)`, a);
      const health = await fetch(`${f.url}/health`);
      expect(health.status, `/health after ${what}`).toBe(200);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("changed nothing stored through smart HTTP, and no ref moved", async () => {
    expect(await snapshot(AFTER_PUSH)).toEqual(before);
  });
});
