// The /device page through real forms: anonymous visitors go to log in and come back with
// the code, the page shows the client and scopes (escaped), approval and denial need the
// form's CSRF token, and wrong codes get a clear message rather than an error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("device login page", () => {
  let f: TestForge;
  let bob: Awaited<ReturnType<typeof userWithToken>>;
  const start = (client_name: string) =>
    api(f.url, "POST", "/api/v1/device/code", { json: { client_name } }).then((r) => r.body);
  const poll = (device_code: string) => api(f.url, "POST", "/api/v1/device/token", { json: { device_code } });
  async function signedIn(next: string) {
    const b = new Browser(f.url);
    const res = await b.submit(`/login?next=${encodeURIComponent(next)}`, "/login", {
      login: bob.handle,
      password: bob.password,
      next,
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(next);
    return b;
  }

  beforeAll(async () => {
    f = await startTestForge();
    bob = await userWithToken(f.url, "bob");
  });
  afterAll(() => f.close());

  it("sends anonymous visitors to log in and back, then approves through the CSRF-protected form", async () => {
    const code = await start("mic on <b>box</b>");
    const anon = await new Browser(f.url).get(`/device?code=${code.user_code}`);
    expect(anon.status).toBe(303);
    const next = `/device?code=${code.user_code}`;
    expect(anon.location).toBe(`/login?next=${encodeURIComponent(next)}`);

    const b = await signedIn(next);
    const page = await b.get(next);
    expect(page.status).toBe(200);
    expect(page.html).toContain("mic on &lt;b&gt;box&lt;/b&gt;");
    expect(page.html).not.toContain("<b>box</b>");
    expect(page.html).toContain(code.user_code);
    for (const s of ["project:read", "project:write", "session:write"]) expect(page.html).toContain(s);
    expect(page.html).toContain('name="viewport"');

    const forged = await b.submit(next, "/device/approve", { user_code: code.user_code }, { csrf: "forged" });
    expect(forged.status).toBe(403);
    expect((await poll(code.device_code)).body.error).toBe("authorization_pending");

    const ok = await b.submit(next, "/device/approve", { user_code: code.user_code });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain("Device approved");
    const got = await poll(code.device_code);
    expect(got.status).toBe(200);
    expect(got.body.handle).toBe("bob");
  });

  it("denies through the form", async () => {
    const code = await start("stranger");
    const next = `/device?code=${code.user_code.toLowerCase().replace("-", "")}`;
    const b = await signedIn(next);
    const denied = await b.submit(next, "/device/deny", { user_code: code.user_code });
    expect(denied.status).toBe(200);
    expect(denied.html).toContain("denied");
    expect((await poll(code.device_code)).body.error).toBe("access_denied");
    const again = await b.submit("/device", "/device/approve", { user_code: code.user_code });
    expect(again.status).toBe(404);
    expect(again.html).toContain("No pending device login has this code");
  });

  it("offers a code entry form and explains wrong or malformed codes", async () => {
    const b = await signedIn("/device");
    const empty = await b.get("/device");
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('name="code"');
    expect(empty.html).toContain('action="/device"');
    const wrong = await b.get("/device?code=BBBB-BBBB");
    expect(wrong.status).toBe(404);
    expect(wrong.html).toContain("No pending device login has this code");
    expect(wrong.html).toContain('value="BBBB-BBBB"');
    const junk = await b.get(`/device?code=${encodeURIComponent('"><script>x</script>')}`);
    expect(junk.status).toBe(404);
    expect(junk.html).toContain("That is not a device code");
    expect(junk.html).not.toContain("<script>x</script>");
  });
});
