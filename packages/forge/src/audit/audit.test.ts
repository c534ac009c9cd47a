// The audit log: every project, membership, token and organization change writes exactly one
// row in the same transaction as the change (actor, action, target, client IP); failed changes
// write nothing; the project audit API lists entries newest first with ?action= filtering;
// and the table is append-only at the SQL level.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;
const LOCAL_IP = /^(127\.0\.0\.1|::ffff:127\.0\.0\.1)$/;

describe("audit log", () => {
  let f: TestForge;
  let olivia: User;
  let mia: User;

  const lastId = async () =>
    Number(
      (
        await f.forge.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.max("id").as("max"))
          .executeTakeFirstOrThrow()
      ).max ?? 0,
    );
  const rowsAfter = (id: number) =>
    f.forge.db.selectFrom("audit_log").selectAll().where("id", ">", id).orderBy("id").execute();

  /** Runs a change and returns the audit rows it wrote. */
  async function audited(change: () => Promise<unknown>) {
    const before = await lastId();
    await change();
    return rowsAfter(before);
  }

  /** Asserts that exactly one row was written and returns it. */
  function one(rows: Awaited<ReturnType<typeof rowsAfter>>, expected: Record<string, unknown>) {
    expect(rows, JSON.stringify(rows)).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject(expected);
    expect(row.ip).toMatch(LOCAL_IP);
    return row;
  }

  beforeAll(async () => {
    f = await startTestForge();
    await userWithToken(f.url, "ada"); // the instance administrator
    olivia = await userWithToken(f.url, "olivia");
    mia = await userWithToken(f.url, "mia");
  });
  afterAll(() => f.close());

  it("records a project's creation, update, visibility change and deletion, one row each", async () => {
    let projectId = "";
    const created = one(
      await audited(async () => {
        const r = await api(f.url, "POST", "/api/v1/projects", {
          token: olivia.token,
          json: { handle: "ledger", description: "v0" },
        });
        expect(r.status).toBe(201);
        projectId = r.body.id;
      }),
      {
        actor: "olivia",
        actor_id: olivia.user.id,
        action: "project.create",
        target_type: "project",
        target: "olivia/ledger",
      },
    );
    expect(created.target_id).toBe(projectId);
    expect(created.project_id).toBe(projectId);
    // Same transaction: PostgreSQL's now() is the transaction's start time, shared by both rows.
    const project = await f.forge.db
      .selectFrom("projects")
      .select("created_at")
      .where("id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(created.created_at.getTime()).toBe(project.created_at.getTime());

    one(
      await audited(async () => {
        const r = await api(f.url, "PATCH", "/api/v1/projects/olivia/ledger", {
          token: olivia.token,
          json: { description: "v1" },
        });
        expect(r.status).toBe(200);
      }),
      { actor: "olivia", action: "project.update", target: "olivia/ledger", project_id: projectId },
    );

    const vis = one(
      await audited(async () => {
        const r = await api(f.url, "PATCH", "/api/v1/projects/olivia/ledger", {
          token: olivia.token,
          json: { visibility: "private", name: "Ledger" },
        });
        expect(r.status).toBe(200);
      }),
      { actor: "olivia", action: "project.visibility", target: "olivia/ledger", project_id: projectId },
    );
    expect(vis.data).toMatchObject({ visibility: "private" });

    // A change that changes nothing records nothing.
    const noop = await audited(async () => {
      const r = await api(f.url, "PATCH", "/api/v1/projects/olivia/ledger", {
        token: olivia.token,
        json: { description: "v1" },
      });
      expect(r.status).toBe(200);
    });
    expect(noop).toEqual([]);

    one(
      await audited(async () => {
        const r = await api(f.url, "DELETE", "/api/v1/projects/olivia/ledger", { token: olivia.token });
        expect(r.status).toBe(204);
      }),
      { actor: "olivia", action: "project.delete", target: "olivia/ledger", target_id: projectId },
    );
  });

  it("records a change made through a web form the same way", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: olivia.token, json: { handle: "web-made" } }))
        .status,
    ).toBe(201);
    const b = new Browser(f.url);
    expect((await b.submit("/login", "/login", { login: "olivia", password: olivia.password })).status).toBe(
      303,
    );
    one(
      await audited(async () => {
        const r = await b.submit("/olivia/web-made/settings", "/olivia/web-made/settings", {
          name: "web-made",
          description: "from the form",
          visibility: "public",
        });
        expect(r.status).toBe(303);
      }),
      { actor: "olivia", action: "project.update", target: "olivia/web-made" },
    );
  });

  it("records organization creation and membership changes, one row each", async () => {
    let orgId = "";
    const created = one(
      await audited(async () => {
        const r = await api(f.url, "POST", "/api/v1/orgs", { token: olivia.token, json: { handle: "acme" } });
        expect(r.status).toBe(201);
        orgId = r.body.id;
      }),
      { actor: "olivia", action: "org.create", target_type: "org", target: "acme" },
    );
    expect(created.target_id).toBe(orgId);
    const org = await f.forge.db
      .selectFrom("accounts")
      .select("created_at")
      .where("id", "=", orgId)
      .executeTakeFirstOrThrow();
    expect(created.created_at.getTime()).toBe(org.created_at.getTime());

    const added = one(
      await audited(async () => {
        const r = await api(f.url, "PUT", "/api/v1/orgs/acme/members/mia", {
          token: olivia.token,
          json: { role: "member" },
        });
        expect(r.status).toBe(200);
      }),
      { actor: "olivia", action: "org.member.put", target_id: orgId, target: "acme" },
    );
    expect(added.data).toEqual({ user: "mia", role: "member" });

    const promoted = one(
      await audited(async () => {
        const r = await api(f.url, "PUT", "/api/v1/orgs/acme/members/mia", {
          token: olivia.token,
          json: { role: "owner" },
        });
        expect(r.status).toBe(200);
      }),
      { actor: "olivia", action: "org.member.put", target: "acme" },
    );
    expect(promoted.data).toEqual({ user: "mia", role: "owner" });

    const removed = one(
      await audited(async () => {
        const r = await api(f.url, "DELETE", "/api/v1/orgs/acme/members/olivia", { token: mia.token });
        expect(r.status).toBe(204);
      }),
      { actor: "mia", actor_id: mia.user.id, action: "org.member.remove", target: "acme" },
    );
    expect(removed.data).toEqual({ user: "olivia" });
  });

  it("records token creation and revocation, one row each", async () => {
    let tokenId = "";
    const created = one(
      await audited(async () => {
        const r = await api(f.url, "POST", "/api/v1/tokens", {
          basic: ["olivia", olivia.password],
          json: { name: "ci", scopes: ["project:read"] },
        });
        expect(r.status).toBe(201);
        tokenId = r.body.id;
      }),
      { actor: "olivia", action: "token.create", target_type: "token", target: "ci" },
    );
    expect(created.target_id).toBe(tokenId);
    expect(JSON.stringify(created.data)).not.toMatch(/mic_/);
    const token = await f.forge.db
      .selectFrom("api_tokens")
      .select("created_at")
      .where("id", "=", tokenId)
      .executeTakeFirstOrThrow();
    expect(created.created_at.getTime()).toBe(token.created_at.getTime());

    one(
      await audited(async () => {
        const r = await api(f.url, "DELETE", `/api/v1/tokens/${tokenId}`, { token: olivia.token });
        expect(r.status).toBe(204);
      }),
      { actor: "olivia", action: "token.revoke", target_id: tokenId, target: "ci" },
    );
  });

  it("writes nothing for a change that fails", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: olivia.token, json: { handle: "dup" } })).status,
    ).toBe(201);
    const failures: Array<[string, () => Promise<{ status: number }>, number]> = [
      [
        "duplicate project handle",
        () => api(f.url, "POST", "/api/v1/projects", { token: olivia.token, json: { handle: "DUP" } }),
        409,
      ],
      [
        "update by a non-administrator",
        () =>
          api(f.url, "PATCH", "/api/v1/projects/olivia/dup", {
            token: mia.token,
            json: { description: "x" },
          }),
        403,
      ],
      [
        "invalid update",
        () =>
          api(f.url, "PATCH", "/api/v1/projects/olivia/dup", {
            token: olivia.token,
            json: { visibility: "secret" },
          }),
        400,
      ],
      [
        "delete by a non-administrator",
        () => api(f.url, "DELETE", "/api/v1/projects/olivia/dup", { token: mia.token }),
        403,
      ],
      [
        "duplicate organization handle",
        () => api(f.url, "POST", "/api/v1/orgs", { token: olivia.token, json: { handle: "ACME" } }),
        409,
      ],
      [
        "removing the last owner",
        () => api(f.url, "DELETE", "/api/v1/orgs/acme/members/mia", { token: mia.token }),
        409,
      ],
      [
        "adding an unknown user",
        () =>
          api(f.url, "PUT", "/api/v1/orgs/acme/members/nobody", {
            token: mia.token,
            json: { role: "member" },
          }),
        400,
      ],
      [
        "revoking someone else's token",
        async () => {
          const [t] = (await api(f.url, "GET", "/api/v1/tokens", { basic: ["mia", mia.password] })).body;
          return api(f.url, "DELETE", `/api/v1/tokens/${t.id}`, { token: olivia.token });
        },
        404,
      ],
      [
        "an admin-scoped token for a non-administrator",
        () =>
          api(f.url, "POST", "/api/v1/tokens", {
            basic: ["olivia", olivia.password],
            json: { name: "root", scopes: ["admin"] },
          }),
        403,
      ],
    ];
    for (const [label, change, status] of failures) {
      const rows = await audited(async () => {
        expect((await change()).status, label).toBe(status);
      });
      expect(rows, label).toEqual([]);
    }
  });

  it("rolls the change back when its audit row cannot be written (same transaction)", async () => {
    const db = f.forge.db;
    await sql`CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.target LIKE '%doomed%' THEN RAISE EXCEPTION 'audit refused for test'; END IF;
        RETURN NEW;
      END;
      $$`.execute(db);
    await sql`CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_test_refuse()`.execute(db);
    try {
      const rows = await audited(async () => {
        const p = await api(f.url, "POST", "/api/v1/projects", {
          token: olivia.token,
          json: { handle: "doomed" },
        });
        expect(p.status).toBe(500);
        const o = await api(f.url, "POST", "/api/v1/orgs", {
          token: olivia.token,
          json: { handle: "doomed-org" },
        });
        expect(o.status).toBe(500);
        const t = await api(f.url, "POST", "/api/v1/tokens", {
          basic: ["olivia", olivia.password],
          json: { name: "doomed", scopes: ["project:read"] },
        });
        expect(t.status).toBe(500);
      });
      expect(rows).toEqual([]);
      expect(
        (await api(f.url, "GET", "/api/v1/projects/olivia/doomed", { token: olivia.token })).status,
      ).toBe(404);
      expect((await api(f.url, "GET", "/api/v1/orgs/doomed-org")).status).toBe(404);
      const tokens = (await api(f.url, "GET", "/api/v1/tokens", { basic: ["olivia", olivia.password] })).body;
      expect(tokens.map((t: { name: string }) => t.name)).not.toContain("doomed");
    } finally {
      await sql`DROP TRIGGER audit_test_refuse ON audit_log`.execute(db);
      await sql`DROP FUNCTION audit_test_refuse()`.execute(db);
    }
  });

  it("lists a project's entries newest first, only that project's, with ?action= filtering", async () => {
    const create = (handle: string) =>
      api(f.url, "POST", "/api/v1/projects", { token: olivia.token, json: { handle } });
    const patch = (handle: string, json: unknown) =>
      api(f.url, "PATCH", `/api/v1/projects/olivia/${handle}`, { token: olivia.token, json });
    expect((await create("atlas")).status).toBe(201);
    expect((await create("other")).status).toBe(201);
    expect((await patch("atlas", { description: "one" })).status).toBe(200);
    expect((await patch("other", { description: "noise" })).status).toBe(200);
    expect((await patch("atlas", { visibility: "private" })).status).toBe(200);
    expect((await patch("atlas", { description: "two" })).status).toBe(200);
    expect((await patch("atlas", { visibility: "public" })).status).toBe(200);

    const r = await api(f.url, "GET", "/api/v1/projects/olivia/atlas/audit", { token: olivia.token });
    expect(r.status).toBe(200);
    expect(r.body.map((e: { action: string }) => e.action)).toEqual([
      "project.visibility",
      "project.update",
      "project.visibility",
      "project.update",
      "project.create",
    ]);
    const ids = r.body.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    for (const e of r.body) {
      expect(e).toMatchObject({ actor: "olivia", target: "olivia/atlas", target_type: "project" });
      expect(e.ip).toMatch(LOCAL_IP);
      expect(typeof e.created_at).toBe("string");
    }
    expect(new Set(r.body.map((e: { project_id: string }) => e.project_id)).size).toBe(1);

    const vis = await api(f.url, "GET", "/api/v1/projects/olivia/atlas/audit?action=project.visibility", {
      token: olivia.token,
    });
    expect(vis.status).toBe(200);
    expect(vis.body).toHaveLength(2);
    expect(vis.body.map((e: { data: { visibility: string } }) => e.data.visibility)).toEqual([
      "public",
      "private",
    ]);
    const none = await api(f.url, "GET", "/api/v1/projects/olivia/atlas/audit?action=project.delete", {
      token: olivia.token,
    });
    expect(none.body).toEqual([]);

    // Paging with before= and limit= keeps the order.
    const page = await api(f.url, "GET", `/api/v1/projects/olivia/atlas/audit?limit=2&before=${ids[1]}`, {
      token: olivia.token,
    });
    expect(page.body.map((e: { id: number }) => e.id)).toEqual(ids.slice(2, 4));
    // Only project administrators may read it.
    expect(
      (await api(f.url, "GET", "/api/v1/projects/olivia/atlas/audit", { token: mia.token })).status,
    ).toBe(403);
  });

  it("cannot be updated or deleted: the SQL raises", async () => {
    const db = f.forge.db;
    const count = async () =>
      Number(
        (
          await db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    expect(before).toBeGreaterThan(0);
    await expect(db.updateTable("audit_log").set({ actor: "mallory" }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(
      sql`UPDATE audit_log SET ip = '10.0.0.1' WHERE action = 'project.create'`.execute(db),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("audit_log").execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("audit_log").where("action", "=", "token.create").execute()).rejects.toThrow(
      /append-only/,
    );
    expect(await count()).toBe(before);
    expect(await db.selectFrom("audit_log").select("actor").where("actor", "=", "mallory").execute()).toEqual(
      [],
    );
  });

  it("cannot be truncated: TRUNCATE audit_log raises", async () => {
    const db = f.forge.db;
    const before = await db.selectFrom("audit_log").select("id").execute();
    expect(before.length).toBeGreaterThan(0);
    await expect(sql`TRUNCATE audit_log`.execute(db)).rejects.toThrow(/append-only/);
    expect(await db.selectFrom("audit_log").select("id").execute()).toHaveLength(before.length);
  });
});
