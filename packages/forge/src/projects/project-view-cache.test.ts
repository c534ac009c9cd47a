// The projects read-only views keep in process (project-view-cache.ts): a warm page needs no
// query for its project, the five viewers still get exactly what the access check gives them,
// and a change shows on the next request, whether this process made it (at once) or another
// did (the trigger's message on the bus; modelled by SQL this process's write listener does
// not recognise, as a write by another process or by hand would be).
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryCount } from "../db/db.ts";
import { sessionApi } from "../sessions/session-pages-fixture.ts";
import { until } from "../testing/eventually.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles, WHO, type Who } from "../testing/roles.ts";
import { projectViews } from "./project-view-cache.ts";

describe("project view cache", () => {
  let f: TestForge;
  let roles: Roles;
  let projectId: string;
  const BLOB = "/acme/vault/blob/main/notes.txt";
  const JSON_BLOB = "/api/v1/projects/acme/vault/blob/main/notes.txt";

  const view = async (who: Who, path = BLOB) => {
    const token = roles.tokens[who];
    const res = await fetch(f.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    return { status: res.status, leaked: text.includes("vault notes") };
  };
  /** What each viewer gets, asked in the given order. */
  const statuses = async (order: Who[], path = BLOB) => {
    const out = {} as Record<Who, number>;
    for (const who of order) {
      const r = await view(who, path);
      if (r.status !== 200) expect(r.leaked).toBe(false);
      out[who] = r.status;
    }
    return out;
  };
  const privateAnswer = { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 };
  const publicAnswer = { anonymous: 200, other: 200, member: 200, owner: 200, admin: 200 };
  /** A write this process's write listener does not see (unquoted table name). */
  const writeElsewhere = (query: ReturnType<typeof sql>) => query.execute(f.forge.db);

  beforeAll(async () => {
    f = await startTestForge();
    roles = await setUpRoles(f.url);
    projectId = await roles.orgProject("vault");
    const s = sessionApi(f.url, roles.tokens.owner!, "acme", "vault");
    const opened = await s.open("Notes");
    await s.change(opened.id, { "notes.txt": "vault notes\n" });
    expect((await s.land(opened.id)).status).toBe(200);
  });
  afterAll(() => f.close());

  it("answers a warm page without asking the database for its project", async () => {
    /**
     * Queries of the quietest of up to 25 requests, 40 ms apart: background jobs share the
     * counter, and a job writing to projects or accounts drops the cache while it runs.
     */
    const fewest = async (who: Who, path: string) => {
      expect((await view(who, path)).status).toBe(200);
      const counts: number[] = [];
      for (let i = 0; i < 25 && Math.min(...counts) > 0; i++) {
        const before = queryCount();
        expect((await view(who, path)).status).toBe(200);
        counts.push(queryCount() - before);
        await new Promise((r) => setTimeout(r, 40));
      }
      return Math.min(...counts);
    };
    expect(await fewest("owner", JSON_BLOB)).toBe(0);
    // A signed-in page asks for its unread notifications, nothing else.
    expect(await fewest("owner", BLOB)).toBe(1);
    await writeElsewhere(sql`UPDATE projects SET visibility = 'public' WHERE id = ${projectId}`);
    try {
      await until("the project to be public", async () => (await view("anonymous")).status === 200);
      expect(await fewest("anonymous", BLOB)).toBe(0);
    } finally {
      // The tests after this one start from the private project, even when this one failed.
      await writeElsewhere(sql`UPDATE projects SET visibility = 'private' WHERE id = ${projectId}`);
      await until("the project to be private", async () => (await view("anonymous")).status === 404);
    }
  });

  it("gives each of the five viewers what the access check gives, cold or warm, in any order", async () => {
    projectViews.clear();
    for (const order of [
      WHO,
      [...WHO].reverse(),
      ["owner", "anonymous", "member", "other", "admin"] as Who[],
    ]) {
      expect(await statuses(order)).toEqual(privateAnswer);
      expect(await statuses(order, JSON_BLOB)).toEqual(privateAnswer);
    }
  });

  it("follows a visibility change made through the API on the very next request", async () => {
    expect(await statuses(WHO)).toEqual(privateAnswer);
    const opened = await roles.call("owner", "PATCH", "/api/v1/projects/acme/vault", {
      visibility: "public",
    });
    expect(opened.status).toBe(200);
    expect(await statuses(WHO)).toEqual(publicAnswer);
    const closed = await roles.call("owner", "PATCH", "/api/v1/projects/acme/vault", {
      visibility: "private",
    });
    expect(closed.status).toBe(200);
    expect(await statuses(WHO)).toEqual(privateAnswer);
  });

  it("follows writes by another process through the bus", async () => {
    await writeElsewhere(sql`UPDATE projects SET visibility = 'public' WHERE id = ${projectId}`);
    await until("anonymous visitors to see the project made public elsewhere", async () => {
      return (await view("anonymous")).status === 200;
    });
    expect(await statuses(WHO)).toEqual(publicAnswer);
    await writeElsewhere(sql`UPDATE projects SET visibility = 'private' WHERE id = ${projectId}`);
    await until("anonymous visitors to lose the project made private elsewhere", async () => {
      return (await view("anonymous")).status === 404;
    });
    expect(await statuses(WHO)).toEqual(privateAnswer);
  });

  it("follows an organization's members, through the API and from elsewhere", async () => {
    expect((await view("member")).status).toBe(200);
    const org = await f.forge.db
      .selectFrom("accounts")
      .select("id")
      .where("handle", "=", "acme")
      .executeTakeFirstOrThrow();
    const mia = roles.accounts.member.user.id as string;
    await writeElsewhere(sql`DELETE FROM org_members WHERE org_id = ${org.id} AND user_id = ${mia}`);
    await until(
      "a removed member to lose the private project",
      async () => (await view("member")).status === 404,
    );
    const added = await roles.call("owner", "PUT", "/api/v1/orgs/acme/members/mia", { role: "member" });
    expect(added.status).toBe(200);
    expect((await view("member")).status).toBe(200);
    const removed = await roles.call("owner", "DELETE", "/api/v1/orgs/acme/members/mia");
    expect(removed.status).toBeLessThan(300);
    expect((await view("member")).status).toBe(404);
  });

  it("hides a suspended owner's project from all but administrators at once", async () => {
    await roles.call("owner", "PATCH", "/api/v1/projects/acme/vault", { visibility: "public" });
    expect(await statuses(WHO)).toEqual(publicAnswer);
    await writeElsewhere(sql`UPDATE accounts SET suspended_at = now() WHERE handle = 'acme'`);
    await until(
      "the suspended organization's project to be hidden",
      async () => (await view("other")).status === 404,
    );
    expect((await statuses(WHO)).admin).toBe(200);
    expect((await statuses(WHO)).anonymous).toBe(404);
  });
});
