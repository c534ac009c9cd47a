// Session review comments through the API on a real forge: who may read and write them on a
// private project (anonymous, another user, a member, the owner, the instance administrator),
// input rules, editing by the author only, resolving by the project's administrators or the
// session's author, deleting by the author or administrators, comments on closed sessions,
// token scopes, the kind filter and the session.commented project event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles, WHO, type Who } from "../testing/roles.ts";

describe("session comments API", () => {
  let f: TestForge;
  let r: Roles;
  let secret: string;
  let pub: string;
  const sessions = (project: string) => `/api/v1/projects/acme/${project}/sessions`;
  const comments = (project: string, id: string) => `${sessions(project)}/${id}/comments`;

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url);
    for (const [handle, visibility] of [
      ["secret", "private"],
      ["pub", "public"],
    ]) {
      const p = await r.call("owner", "POST", "/api/v1/projects", { handle, owner: "acme", visibility });
      expect(p.status).toBe(201);
    }
    // mia, a member (not an administrator of the project), opens both sessions.
    secret = (await r.call("member", "POST", sessions("secret"), { goal: "Secret work" })).body.id;
    pub = (await r.call("member", "POST", sessions("pub"), { goal: "Public work" })).body.id;
  });
  afterAll(async () => {
    await f.close();
  });

  it("keeps a private project's comments to those who may read it", async () => {
    const expected: Record<Who, [number, number]> = {
      anonymous: [404, 401],
      other: [404, 404],
      member: [200, 201],
      owner: [200, 201],
      admin: [200, 201],
    };
    for (const who of WHO) {
      const posted = await r.call(who, "POST", comments("secret", secret), { body: `from ${who}` });
      expect(posted.status, `${who} posts`).toBe(expected[who][1]);
      if (posted.status >= 400)
        expect(posted.headers.get("content-type")).toContain("application/problem+json");
      const read = await r.call(who, "GET", comments("secret", secret));
      expect(read.status, `${who} reads`).toBe(expected[who][0]);
    }
    const list = await r.call("member", "GET", comments("secret", secret));
    expect(list.body.map((c: { body: string }) => c.body)).toEqual([
      "from member",
      "from owner",
      "from admin",
    ]);
    expect(list.body[0]).toMatchObject({
      kind: "comment",
      author: "mia",
      resolved: false,
      resolved_at: null,
      path: null,
      line: null,
      suggested_prompt: null,
    });
    // Nothing of the private project's comments leaks through another session id either.
    const wrong = await r.call("member", "GET", comments("pub", secret));
    expect(wrong.status).toBe(404);
  });

  it("lets anyone read a public project's comments and any signed-in user write them", async () => {
    const posted = await r.call("other", "POST", comments("pub", pub), {
      kind: "prompt-suggestion",
      body: "Ask for **tests** first",
      suggested_prompt: "Fix the parser. Write a failing test first.",
      path: "src/parser.ts",
      line: 12,
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({
      kind: "prompt-suggestion",
      author: "oscar",
      path: "src/parser.ts",
      line: 12,
      suggested_prompt: "Fix the parser. Write a failing test first.",
    });
    const change = await r.call("owner", "POST", comments("pub", pub), {
      kind: "change-request",
      body: "No.",
    });
    expect(change.status).toBe(201);
    expect((await r.call("anonymous", "POST", comments("pub", pub), { body: "hi" })).status).toBe(401);
    const all = await r.call("anonymous", "GET", comments("pub", pub));
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(2);
    const only = await r.call("anonymous", "GET", `${comments("pub", pub)}?kind=prompt-suggestion`);
    expect(only.body.map((c: { id: string }) => c.id)).toEqual([posted.body.id]);
    const after = await r.call("anonymous", "GET", `${comments("pub", pub)}?after=${posted.body.id}`);
    expect(after.body.map((c: { id: string }) => c.id)).toEqual([change.body.id]);
    const bad = await r.call("anonymous", "GET", `${comments("pub", pub)}?kind=praise`);
    expect(bad.status).toBe(400);
  });

  it("refuses bad input with problem+json naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ body: "   " }, "body"],
      [{ body: "x".repeat(20_001) }, "body"],
      [{ body: "x", kind: "praise" }, "kind"],
      [{ body: "x", suggested_prompt: "y" }, "suggested_prompt"],
      [{ body: "x", line: 3 }, "line"],
      [{ body: "x", path: "a", line: 0 }, "line"],
      [{ body: "x", kind: "prompt-suggestion", suggested_prompt: "p".repeat(20_001) }, "suggested_prompt"],
    ];
    for (const [json, field] of cases) {
      const res = await r.call("other", "POST", comments("pub", pub), json);
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const missing = await r.call("other", "POST", comments("pub", "0".repeat(26)), { body: "x" });
    expect(missing.status).toBe(404);
    const malformed = await r.call("other", "POST", comments("pub", "not-a-session"), { body: "x" });
    expect(malformed.status).toBe(404);
  });

  it("lets only the author edit, and the administrators or the session's author resolve", async () => {
    const c = (await r.call("other", "POST", comments("pub", pub), { body: "Typo in README" })).body;
    const at = `${comments("pub", pub)}/${c.id}`;
    for (const who of ["owner", "member", "admin"] as const) {
      const res = await r.call(who, "PATCH", at, { body: `rewritten by ${who}` });
      expect(res.status, who).toBe(403);
    }
    const edited = await r.call("other", "PATCH", at, { body: "Typo in the README" });
    expect(edited.status).toBe(200);
    expect(edited.body.body).toBe("Typo in the README");
    // The commenter is neither an administrator nor the session's author.
    expect((await r.call("other", "PATCH", at, { resolved: true })).status).toBe(403);
    const resolved = await r.call("member", "PATCH", at, { resolved: true });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ resolved: true, resolved_by: "mia" });
    expect(resolved.body.resolved_at).toEqual(expect.any(String));
    const reopened = await r.call("owner", "PATCH", at, { resolved: false });
    expect(reopened.body).toMatchObject({ resolved: false, resolved_by: null, resolved_at: null });
    expect((await r.call("admin", "PATCH", at, { resolved: true })).body.resolved_by).toBe("ada");
    expect((await r.call("other", "PATCH", at, {})).status).toBe(400);
    expect((await r.call("other", "PATCH", at, { suggested_prompt: "x" })).status).toBe(400);
    expect((await r.call("anonymous", "PATCH", at, { resolved: false })).status).toBe(401);
    expect(
      (await r.call("other", "PATCH", `${comments("pub", pub)}/${"1".repeat(26)}`, { body: "x" })).status,
    ).toBe(404);
  });

  it("lets the author or an administrator delete, no one else", async () => {
    const mine = (await r.call("other", "POST", comments("pub", pub), { body: "mine" })).body;
    const theirs = (await r.call("other", "POST", comments("pub", pub), { body: "theirs" })).body;
    const at = (id: string) => `${comments("pub", pub)}/${id}`;
    // The session's author may resolve, but not delete another's comment.
    expect((await r.call("member", "DELETE", at(mine.id))).status).toBe(403);
    expect((await r.call("anonymous", "DELETE", at(mine.id))).status).toBe(401);
    expect((await r.call("other", "DELETE", at(mine.id))).status).toBe(204);
    expect((await r.call("owner", "DELETE", at(theirs.id))).status).toBe(204);
    expect((await r.call("owner", "DELETE", at(theirs.id))).status).toBe(404);
    const left = (await r.call("anonymous", "GET", comments("pub", pub))).body.map(
      (c: { id: string }) => c.id,
    );
    expect(left).not.toContain(mine.id);
    expect(left).not.toContain(theirs.id);
  });

  it("takes comments on a closed session (post-landing review)", async () => {
    const s = (await r.call("member", "POST", sessions("pub"), { goal: "Soon closed" })).body.id;
    expect((await r.call("member", "POST", `${sessions("pub")}/${s}/abandon`)).status).toBe(200);
    const res = await r.call("other", "POST", comments("pub", s), { kind: "change-request", body: "Why?" });
    expect(res.status).toBe(201);
  });

  it("asks a token for session:write to write, and project:read to see a private project", async () => {
    const reader = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [r.accounts.member.handle, r.accounts.member.password],
      json: { name: "reader", scopes: ["project:read"] },
    });
    expect(reader.status).toBe(201);
    const token = reader.body.token as string;
    const read = await api(f.url, "GET", comments("secret", secret), { token });
    expect(read.status).toBe(200);
    const write = await api(f.url, "POST", comments("secret", secret), { token, json: { body: "x" } });
    expect(write.status).toBe(403);
    const writer = await userWithToken(f.url, "wendy", ["session:write"]);
    const hidden = await api(f.url, "GET", comments("secret", secret), { token: writer.token });
    expect(hidden.status).toBe(404);
  });

  it("records a session.commented project event without the comment's text", async () => {
    const c = (await r.call("owner", "POST", comments("pub", pub), { body: "An event" })).body;
    const rows = await f.forge.db
      .selectFrom("project_events")
      .select(["type", "data"])
      .where("type", "=", "session.commented")
      .execute();
    const event = rows.find((e) => (e.data as { comment?: string }).comment === c.id);
    expect(event?.data).toEqual({ session: pub, comment: c.id, kind: "comment", author: "olivia" });
  });
});
