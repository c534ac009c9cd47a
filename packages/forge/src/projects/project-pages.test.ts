// The project settings page: name, description, visibility and trunk protection through
// the form; deletion needs the typed name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("project settings page", () => {
  let f: TestForge;
  let token: string;
  const b = () => browser;
  let browser: Browser;

  beforeAll(async () => {
    f = await startTestForge();
    const u = await userWithToken(f.url, "setter");
    token = u.token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "tool" } });
    browser = new Browser(f.url);
    await browser.submit("/login", "/login", { login: "setter", password: u.password });
  });
  afterAll(() => f.close());

  it("saves details and trunk protection", async () => {
    const r = await b().submit("/setter/tool/settings", "/setter/tool/settings", {
      name: "The Tool",
      description: "sharp",
      visibility: "private",
      trunk_push: "sessions_only",
      land_role: "admin",
      require_review: "on",
    });
    expect(r.status).toBe(303);
    const p = (await api(f.url, "GET", "/api/v1/projects/setter/tool", { token })).body;
    expect(p).toMatchObject({ name: "The Tool", description: "sharp", visibility: "private" });
    expect(p.protection).toEqual({ trunk_push: "sessions_only", land_role: "admin", require_review: true });
    const page = await b().get("/setter/tool/settings");
    expect(page.html).toContain('value="sessions_only" checked');
    await b().submit("/setter/tool/settings", "/setter/tool/settings", {
      name: "The Tool",
      visibility: "private",
      trunk_push: "allowed",
      land_role: "write",
    });
    const after = (await api(f.url, "GET", "/api/v1/projects/setter/tool", { token })).body;
    expect(after.protection).toEqual({ trunk_push: "allowed", land_role: "write", require_review: false });
  });

  it("deletes only with the typed name", async () => {
    const wrong = await b().submit("/setter/tool/settings", "/setter/tool/settings/delete", {
      confirm: "tool",
    });
    expect(wrong.status).toBe(400);
    expect((await api(f.url, "GET", "/api/v1/projects/setter/tool", { token })).status).toBe(200);
    const right = await b().submit("/setter/tool/settings", "/setter/tool/settings/delete", {
      confirm: "setter/tool",
    });
    expect(right.status).toBe(303);
    expect((await api(f.url, "GET", "/api/v1/projects/setter/tool", { token })).status).toBe(404);
  });
});
