// Prompt templates through the API: anyone who may read the project lists and reads them;
// only project administrators (with project:write) add, change and delete them, each change
// in the audit log; ids are slugs unique per project; a session naming an unknown template
// is refused (prompt.template), one naming a known template records it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles, WHO, type Who } from "../testing/roles.ts";

describe("prompt templates API", () => {
  let f: TestForge;
  let r: Roles;
  const base = "/api/v1/projects/acme/vault/prompt-templates";
  const fix = {
    id: "fix-bug",
    kind: "bug-fix",
    title: "Fix a bug",
    body: "Fix {{issue}} in {{file}}; add a test for {{issue}}.",
  };

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url);
    await r.orgProject("vault");
  });
  afterAll(() => f.close());

  it("lets only project administrators add templates, and audits each", async () => {
    const expected: Record<Who, number> = { anonymous: 401, other: 404, member: 403, owner: 201, admin: 201 };
    for (const who of WHO) {
      const res = await r.call(who, "POST", base, { ...fix, id: `t-${who}` });
      expect(res.status, who).toBe(expected[who]);
    }
    const created = await r.call("owner", "POST", base, fix);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: "fix-bug",
      project: "acme/vault",
      kind: "bug-fix",
      placeholders: ["issue", "file"],
      created_by: "olivia",
      url: "/acme/vault/prompts/templates#fix-bug",
    });
    expect(created.headers.get("location")).toBe(`${base}/fix-bug`);
    const again = await r.call("owner", "POST", base, fix);
    expect(again.status).toBe(409);
    expect(again.body.errors[0].field).toBe("id");
    const audit = await r.call("owner", "GET", "/api/v1/projects/acme/vault/audit?action=prompt_template.*");
    expect(audit.status).toBe(200);
    const actions = (audit.body.items ?? audit.body).map(
      (e: { action: string; target: string }) => `${e.action} ${e.target}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        "prompt_template.create acme/vault#fix-bug",
        "prompt_template.create acme/vault#t-admin",
      ]),
    );
  });

  it("refuses a token without project:write and invalid input", async () => {
    const narrow = await userWithToken(f.url, "nora", ["project:read"]);
    expect((await r.call("owner", "PUT", "/api/v1/orgs/acme/members/nora", { role: "owner" })).status).toBe(
      200,
    );
    const refused = await fetch(`${f.url}${base}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${narrow.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ...fix, id: "narrow" }),
    });
    expect(refused.status).toBe(403);
    for (const bad of [
      { ...fix, id: "Bad Id" },
      { ...fix, id: "-x" },
      { ...fix, id: "x".repeat(65) },
      { ...fix, id: "ok", kind: "poem" },
      { ...fix, id: "ok", title: "" },
      { ...fix, id: "ok", body: "x".repeat(50_001) },
      { ...fix, id: "ok", extra: 1 },
    ]) {
      const res = await r.call("owner", "POST", base, bad);
      expect(res.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
    }
  });

  it("lets readers list and read templates, and hides them from everyone else", async () => {
    const expected: Record<Who, number> = { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 };
    for (const who of WHO) {
      const list = await r.call(who, "GET", base);
      expect(list.status, who).toBe(expected[who]);
      const one = await r.call(who, "GET", `${base}/fix-bug`);
      expect(one.status, who).toBe(expected[who]);
      if (expected[who] === 200) {
        expect(list.body.map((t: { id: string }) => t.id)).toContain("fix-bug");
        expect(one.body.body).toBe(fix.body);
      }
    }
    expect((await r.call("member", "GET", `${base}/nope`)).status).toBe(404);
  });

  it("changes and deletes templates (administrators only), auditing both", async () => {
    expect((await r.call("member", "PATCH", `${base}/fix-bug`, { title: "Mine" })).status).toBe(403);
    expect((await r.call("member", "DELETE", `${base}/fix-bug`)).status).toBe(403);
    const patched = await r.call("owner", "PATCH", `${base}/fix-bug`, {
      title: "Fix a reported bug",
      kind: "other",
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: "Fix a reported bug", kind: "other", body: fix.body });
    expect((await r.call("owner", "PATCH", `${base}/missing`, { title: "x" })).status).toBe(404);
    expect((await r.call("owner", "POST", base, { ...fix, id: "gone" })).status).toBe(201);
    expect((await r.call("owner", "DELETE", `${base}/gone`)).status).toBe(204);
    expect((await r.call("owner", "DELETE", `${base}/gone`)).status).toBe(404);
    expect((await r.call("owner", "GET", `${base}/gone`)).status).toBe(404);
    const audit = await r.call("owner", "GET", "/api/v1/projects/acme/vault/audit?action=prompt_template.*");
    const actions = (audit.body.items ?? audit.body).map(
      (e: { action: string; target: string }) => `${e.action} ${e.target}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        "prompt_template.update acme/vault#fix-bug",
        "prompt_template.delete acme/vault#gone",
      ]),
    );
    expect(actions).not.toContain("prompt_template.update acme/vault#missing");
  });

  it("refuses a session naming an unknown template and records a known one", async () => {
    const sessions = "/api/v1/projects/acme/vault/sessions";
    const agent = { name: "coder", model: "m-1" };
    const unknown = await r.call("member", "POST", sessions, {
      goal: "Fix it",
      agent,
      prompt: { text: "Fix the crash", template: "no-such" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: "prompt.template" })]);
    const known = await r.call("member", "POST", sessions, {
      goal: "Fix it",
      agent,
      prompt: { text: "Fix the crash", template: "fix-bug" },
    });
    expect(known.status).toBe(201);
    expect(known.body.prompt.template).toBe("fix-bug");
  });
});
