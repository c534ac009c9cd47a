// The session page's review on a real forge: comments rendered as sanitized markdown (no
// script, no javascript: link survives), counts, open prompt suggestions beside the prompt,
// the form for signed-in readers only, resolve and delete buttons only for those allowed,
// and the forms themselves (CSRF-checked) adding, resolving and deleting; a private
// project's review is as hidden as its session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

const XSS = '<script>alert("x")</script><img src=x onerror="alert(1)">';

describe("session review pages", () => {
  let f: TestForge;
  let r: Roles;
  let id: string;
  let page: string;
  const api = "/api/v1/projects/acme/app/sessions";

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
    for (const [handle, visibility] of [
      ["app", "public"],
      ["hush", "private"],
    ])
      expect(
        (await r.call("owner", "POST", "/api/v1/projects", { handle, owner: "acme", visibility })).status,
      ).toBe(201);
    const s = await r.call("member", "POST", api, {
      goal: "Parse dates",
      agent: { name: "coder", model: "m-1" },
      prompt: { text: "Parse ISO dates" },
    });
    id = s.body.id;
    page = `/acme/app/sessions/${id}`;
    await r.call("other", "POST", `${api}/${id}/comments`, {
      body: `**Careful** ${XSS} [click](javascript:alert(1))`,
    });
    await r.call("other", "POST", `${api}/${id}/comments`, {
      kind: "prompt-suggestion",
      body: "Name the *timezone* rules",
      suggested_prompt: `Parse ISO 8601 dates in UTC ${XSS}`,
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it("renders comments as sanitized markdown with the counts", async () => {
    const { status, html } = await r.browsers.anonymous.get(page);
    expect(status).toBe(200);
    expect(html).toContain('id="review"');
    expect(html).toContain("<strong>Careful</strong>");
    expect(html).toContain("2 open of 2 · 1 comment · 1 prompt suggestion");
    expect(html).not.toContain('<script>alert("x")');
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain("Parse ISO 8601 dates in UTC &lt;script&gt;");
    // Anonymous visitors are asked to sign in, and get no buttons.
    expect(html).toContain("to comment or suggest a better prompt");
    expect(html).not.toContain('action="/acme/app/sessions/');
  });

  it("shows open prompt suggestions under the prompt", async () => {
    const { html } = await r.browsers.anonymous.get(page);
    const column = html.slice(html.indexOf('class="prompt-column"'), html.indexOf('class="result"'));
    expect(column).toContain('id="prompt-title"');
    expect(column).toContain("Prompt suggestions (1)");
    expect(column).toContain("Name the <em>timezone</em> rules");
    expect(column).not.toContain("Careful");
  });

  it("offers resolve and delete only to those allowed", async () => {
    const buttons = async (who: "other" | "member" | "owner") => {
      const { html } = await r.browsers[who].get(page);
      return {
        form: html.includes('id="comment-form"'),
        resolve: (html.match(/\/resolve"/g) ?? []).length,
        del: (html.match(/\/delete"/g) ?? []).length,
      };
    };
    // oscar wrote both comments: he may delete them, not resolve them.
    expect(await buttons("other")).toEqual({ form: true, resolve: 0, del: 2 });
    // mia wrote the session: she may resolve, not delete another's comments.
    expect(await buttons("member")).toEqual({ form: true, resolve: 2, del: 0 });
    expect(await buttons("owner")).toEqual({ form: true, resolve: 2, del: 2 });
  });

  it("adds, resolves and deletes through the forms", async () => {
    const b = r.browsers.owner;
    const added = await b.submit(page, `${page}/comments`, {
      kind: "change-request",
      body: "Split the parser",
      path: "src/date.ts",
      line: "7",
      suggested_prompt: "",
    });
    expect(added.status).toBe(303);
    const cid = /#comment-([0-9A-Z]{26})$/.exec(added.location ?? "")?.[1];
    expect(cid).toBeDefined();
    let html = (await b.get(page)).html;
    expect(html).toContain(`id="comment-${cid}"`);
    expect(html).toContain("<code>src/date.ts</code>, line 7");

    const resolved = await b.submit(page, `${page}/comments/${cid}/resolve`, { resolved: "1" });
    expect(resolved.status).toBe(303);
    html = (await b.get(page)).html;
    expect(html).toContain("resolved by olivia");
    expect(html).toContain("2 open of 3");

    const refused = await b.submit(page, `${page}/comments`, {
      kind: "comment",
      body: "x",
      suggested_prompt: "y",
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("only a prompt-suggestion carries a suggested_prompt");

    // Without the CSRF token nothing changes.
    const forged = await b.submit(page, `${page}/comments/${cid}/delete`, {}, { csrf: "wrong" });
    expect(forged.status).toBe(403);
    expect((await r.call("anonymous", "GET", `${api}/${id}/comments`)).body).toHaveLength(3);
    const deleted = await b.submit(page, `${page}/comments/${cid}/delete`, {});
    expect(deleted.status).toBe(303);
    expect((await r.call("anonymous", "GET", `${api}/${id}/comments`)).body).toHaveLength(2);
  });

  it("refuses the forms to those who may not use them", async () => {
    const [first] = (await r.call("anonymous", "GET", `${api}/${id}/comments`)).body;
    const resolve = await r.browsers.other.submit(page, `${page}/comments/${first.id}/resolve`, {
      resolved: "1",
    });
    expect(resolve.status).toBe(403);
    // The log-in page's form gives the anonymous visitor a CSRF token.
    const anon = await r.browsers.anonymous.submit("/login", `${page}/comments`, { body: "hi" });
    expect(anon.status).toBe(303);
    expect(anon.location).toMatch(/^\/login/);
  });

  it("hides a private project's review from those who may not read it", async () => {
    const s = await r.call("member", "POST", "/api/v1/projects/acme/hush/sessions", { goal: "Hidden" });
    await r.call("member", "POST", `/api/v1/projects/acme/hush/sessions/${s.body.id}/comments`, {
      body: "secret remark",
    });
    const at = `/acme/hush/sessions/${s.body.id}`;
    for (const who of ["anonymous", "other"] as const) {
      const res = await r.browsers[who].get(at);
      expect(res.status, who).toBe(404);
      expect(res.html).not.toContain("secret remark");
    }
    expect((await r.browsers.other.submit("/", `${at}/comments`, { body: "let me in" })).status).toBe(404);
    expect((await r.browsers.member.get(at)).html).toContain("secret remark");
  });
});
