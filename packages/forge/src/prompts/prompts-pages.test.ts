// The prompt pages: the project registry (search, outcome tabs with counts, links to
// sessions, an empty state that says how prompts get here), the instance-wide registry
// (private projects only for those who may read them), the templates page with an anchor per
// template and, for administrators only, CSRF-protected forms to add, edit and delete them;
// prompt and template text containing markup is shown escaped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

const XSS = `<script>alert("x")</script>`;
const agent = { name: "coder", model: "m-1" };

describe("prompt pages", () => {
  let f: TestForge;
  let r: Roles;
  let sessionId = "";

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
    for (const [handle, visibility] of [
      ["app", "public"],
      ["vault", "private"],
      ["empty", "public"],
    ])
      expect(
        (await r.call("owner", "POST", "/api/v1/projects", { owner: "acme", handle, visibility })).status,
      ).toBe(201);
    const s = await r.call("member", "POST", "/api/v1/projects/acme/app/sessions", {
      goal: `Escape ${XSS} in goals`,
      agent,
      prompt: { text: `Make the page safe from ${XSS} please` },
    });
    expect(s.status).toBe(201);
    sessionId = s.body.id;
    await r.call("member", "POST", "/api/v1/projects/acme/vault/sessions", {
      goal: "Hidden",
      agent,
      prompt: { text: "VAULTONLY prompt" },
    });
  });
  afterAll(() => f.close());

  it("shows a project's prompts escaped, with outcome tabs, counts and links to sessions", async () => {
    const page = await r.browsers.anonymous.get("/acme/app/prompts");
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(XSS);
    expect(page.html).toContain(
      "Make the page safe from &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; please",
    );
    expect(page.html).toContain(`href="/acme/app/sessions/${sessionId}"`);
    expect(page.html).toContain('aria-current="page">Prompts</a>');
    expect(page.html).toMatch(/All \(1\)/);
    expect(page.html).toContain('href="/acme/app/prompts?outcome=rejected"');
    expect(page.html).toContain("0 landed · 0 rejected");
    const none = await r.browsers.anonymous.get("/acme/app/prompts?q=nothing-like-this");
    expect(none.html).toContain("No prompts match");
    expect(none.html).toContain('value="nothing-like-this"');
    const empty = await r.browsers.anonymous.get("/acme/empty/prompts");
    expect(empty.html).toContain("No prompts yet.");
    expect(empty.html).toContain('href="/acme/empty/prompts/templates"');
    expect((await r.browsers.anonymous.get("/acme/vault/prompts")).status).toBe(404);
    expect((await r.browsers.other.get("/acme/vault/prompts")).status).toBe(404);
    expect((await r.browsers.member.get("/acme/vault/prompts")).html).toContain("VAULTONLY");
  });

  it("shows every prompt the viewer may read at /prompts", async () => {
    const anon = await r.browsers.anonymous.get("/prompts");
    expect(anon.status).toBe(200);
    expect(anon.html).toContain('href="/acme/app"');
    expect(anon.html).not.toContain("VAULTONLY");
    expect(anon.html).not.toContain(XSS);
    expect((await r.browsers.other.get("/prompts?q=vaultonly")).html).toContain("No prompts match");
    const member = await r.browsers.member.get("/prompts?q=vaultonly");
    expect(member.html).toContain("VAULTONLY");
    expect(member.html).toContain('<span class="badge">private</span>');
    const search = await r.browsers.anonymous.get("/search?q=parser");
    expect(search.html).toContain('href="/prompts?q=parser"');
  });

  it("lets administrators make a template from a session's prompt", async () => {
    const link = `/acme/app/prompts/templates?from=${sessionId}#new-template`;
    expect((await r.browsers.owner.get("/acme/app/prompts")).html).toContain(`href="${link}"`);
    expect((await r.browsers.member.get("/acme/app/prompts")).html).not.toContain("Make it a template");
    const form = await r.browsers.owner.get(`/acme/app/prompts/templates?from=${sessionId}`);
    expect(form.html).toContain(
      "Make the page safe from &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; please</textarea>",
    );
    expect(form.html).not.toContain(XSS);
    const member = await r.browsers.member.get(`/acme/app/prompts/templates?from=${sessionId}`);
    expect(member.html).not.toContain("Make the page safe");
  });

  it("lets administrators add, edit and delete templates through CSRF-protected forms", async () => {
    const owner = r.browsers.owner;
    const tpl = "/acme/app/prompts/templates";
    const before = await owner.get(tpl);
    expect(before.html).toContain("No prompt templates yet.");
    expect(before.html).toContain("Add a template");
    const noCsrf = await owner.submit(
      tpl,
      tpl,
      { id: "x", kind: "docs", title: "t", body: "b" },
      { csrf: "wrong" },
    );
    expect(noCsrf.status).toBe(403);
    const bad = await owner.submit(tpl, tpl, { id: "Not An Id", kind: "docs", title: "T", body: "b" });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('value="Not An Id"');
    const added = await owner.submit(tpl, tpl, {
      id: "safe-pages",
      kind: "bug-fix",
      title: `Title ${XSS}`,
      body: `Fix {{page}} ${XSS}`,
    });
    expect(added.status).toBe(303);
    const page = await r.browsers.anonymous.get(tpl);
    expect(page.html).toContain('id="safe-pages"');
    expect(page.html).not.toContain(XSS);
    expect(page.html).toContain("Fix {{page}} &lt;script&gt;");
    expect(page.html).not.toContain("Add a template");
    expect(page.html).not.toContain("Delete template");
    const edited = await owner.submit(tpl, `${tpl}/safe-pages`, {
      kind: "docs",
      title: "Safer pages",
      body: "Fix {{page}}",
    });
    expect(edited.status).toBe(303);
    expect(edited.location).toBe(`${tpl}?saved=1#safe-pages`);
    const read = await r.call("anonymous", "GET", "/api/v1/projects/acme/app/prompt-templates/safe-pages");
    expect(read.body).toMatchObject({ kind: "docs", title: "Safer pages", body: "Fix {{page}}" });
    const member = r.browsers.member;
    expect((await member.get(tpl)).html).not.toContain("Add a template");
    const refused = await member.submit(tpl, `${tpl}/safe-pages/delete`, {});
    expect(refused.status).toBe(403);
    const deleted = await owner.submit(tpl, `${tpl}/safe-pages/delete`, {});
    expect(deleted.status).toBe(303);
    expect(
      (await r.call("anonymous", "GET", "/api/v1/projects/acme/app/prompt-templates/safe-pages")).status,
    ).toBe(404);
    expect((await r.browsers.other.get("/acme/vault/prompts/templates")).status).toBe(404);
  });
});
