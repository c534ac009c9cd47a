// Web sign-up, log-in and log-out through the real forms (with their CSRF tokens): form
// errors re-render without echoing the password, log-in failures reveal nothing, the session
// cookie's attributes, server-side log-out, and `next` never leading off-site.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { sha256 } from "./secrets.ts";

const PASSWORD = "correct-horse-battery";
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
const cookieValue = (b: Browser, name: string) =>
  b.cookieHeader
    .split("; ")
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);

/** Logs in with plain fetch (no cookie jar) and returns the raw answer to the POST. */
async function rawLogin(base: string, login: string, password: string) {
  const page = await fetch(`${base}/login`, { redirect: "manual" });
  const anon = page.headers
    .getSetCookie()
    .find((c) => c.startsWith("mc_csrf="))
    ?.split(";")[0];
  const token = csrfOf(await page.text());
  return fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: anon ?? "", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: token, login, password }),
  });
}

/** The attributes of the mc_session Set-Cookie header, lower-cased, or null if none was set. */
function sessionCookieAttributes(res: Response): string[] | null {
  const c = res.headers.getSetCookie().find((x) => x.startsWith("mc_session="));
  return c ? c.split(";").map((p) => p.trim().toLowerCase()) : null;
}

describe("web sign-up, log-in and log-out", () => {
  let f: TestForge;
  const accountCount = async () =>
    Number(
      (
        await f.forge.db
          .selectFrom("accounts")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const whoAmI = async (cookie: string) => {
    const r = await fetch(`${f.url}/api/v1/user`, { headers: { cookie } });
    return { status: r.status, body: (await r.json()) as { handle?: string; is_admin?: boolean } };
  };

  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());

  it("signs up through the form, starts a session, and makes the first account administrator", async () => {
    const b = new Browser(f.url);
    const page = await b.get("/signup");
    expect(page.status).toBe(200);
    expect(csrfOf(page.html)).not.toBe("");
    const r = await b.submit("/signup", "/signup", {
      handle: "alice",
      email: "alice@example.test",
      password: PASSWORD,
    });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/");
    const me = await whoAmI(b.cookieHeader);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ handle: "alice", is_admin: true });
  });

  it("re-renders sign-up errors with the message, keeps handle and email, never echoes the password", async () => {
    const before = await accountCount();
    const cases = [
      {
        fields: { handle: "bad handle!", email: "bad@example.test", password: "Sup3r-Secret-Pass" },
        message: "Handle may only contain letters, digits and single hyphens",
      },
      {
        fields: { handle: "bobby", email: "not-an-email", password: "An0ther-Secret-Pass" },
        message: "Enter a valid email address",
      },
      {
        fields: { handle: "carl", email: "carl@example.test", password: "tiny7" },
        message: "Password must be at least 8 characters",
      },
    ];
    for (const c of cases) {
      const b = new Browser(f.url);
      const r = await b.submit("/signup", "/signup", c.fields);
      expect(r.status, c.message).toBe(400);
      expect(r.html).toContain(c.message);
      expect(r.html).toContain(`value="${c.fields.handle}"`);
      expect(r.html).toContain(`value="${c.fields.email}"`);
      expect(r.html).not.toContain(c.fields.password);
      expect(r.html).toMatch(/<form method="post" action="\/signup"/);
      expect(csrfOf(r.html)).not.toBe("");
      expect(cookieValue(b, "mc_session")).toBeUndefined();
    }
    expect(await accountCount()).toBe(before);
  });

  it("escapes what it echoes back", async () => {
    const b = new Browser(f.url);
    const r = await b.submit("/signup", "/signup", {
      handle: '<script>alert("x")</script>',
      email: "x@example.test",
      password: PASSWORD,
    });
    expect(r.status).toBe(400);
    expect(r.html).not.toContain("<script>alert");
    expect(r.html).toContain("&lt;script&gt;");
  });

  it("refuses a handle that differs only in case with 409 and keeps the form", async () => {
    const before = await accountCount();
    const b = new Browser(f.url);
    const r = await b.submit("/signup", "/signup", {
      handle: "ALICE",
      email: "alice2@example.test",
      password: "Dup-Secret-Pass-1",
    });
    expect(r.status).toBe(409);
    expect(r.html).toContain("That handle is already taken");
    expect(r.html).toContain('value="ALICE"');
    expect(r.html).toContain('value="alice2@example.test"');
    expect(r.html).not.toContain("Dup-Secret-Pass-1");
    expect(cookieValue(b, "mc_session")).toBeUndefined();
    expect(await accountCount()).toBe(before);
  });

  it("logs in with the handle (any case) and with the email", async () => {
    for (const login of ["alice", "ALICE", "alice@example.test", "Alice@Example.Test"]) {
      const b = new Browser(f.url);
      const r = await b.submit("/login", "/login", { login, password: PASSWORD });
      expect(r.status, login).toBe(303);
      expect(r.location).toBe("/");
      const home = await b.get("/");
      expect(home.html).toContain('action="/logout"');
      expect((await whoAmI(b.cookieHeader)).body.handle).toBe("alice");
    }
  });

  it("answers a wrong password and an unknown account with the same page", async () => {
    const normalize = (html: string) =>
      html
        .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""')
        .replace(/name="login" value="[^"]*"/g, 'name="login" value=""');
    const b1 = new Browser(f.url);
    const wrong = await b1.submit("/login", "/login", { login: "alice", password: "not-the-password" });
    const b2 = new Browser(f.url);
    const unknown = await b2.submit("/login", "/login", { login: "nobody", password: "not-the-password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.html).toContain("Wrong handle, email or password.");
    expect(wrong.html).not.toContain("not-the-password");
    expect(normalize(wrong.html)).toBe(normalize(unknown.html));
    // The same holds for an unknown email against a known one.
    const b3 = new Browser(f.url);
    const wrongEmail = await b3.submit("/login", "/login", {
      login: "alice@example.test",
      password: "not-the-password",
    });
    const b4 = new Browser(f.url);
    const unknownEmail = await b4.submit("/login", "/login", {
      login: "nobody@example.test",
      password: "not-the-password",
    });
    expect(normalize(wrongEmail.html)).toBe(normalize(unknownEmail.html));
    for (const b of [b1, b2, b3, b4]) expect(cookieValue(b, "mc_session")).toBeUndefined();
  });

  it("sets the session cookie HttpOnly, SameSite=Lax, Path=/ and (over plain http, auto) not Secure", async () => {
    const r = await rawLogin(f.url, "alice", PASSWORD);
    expect(r.status).toBe(303);
    const attrs = sessionCookieAttributes(r);
    expect(attrs).not.toBeNull();
    expect(attrs).toContain("httponly");
    expect(attrs).toContain("samesite=lax");
    expect(attrs).toContain("path=/");
    expect(attrs).not.toContain("secure");
    // A failed log-in sets no session cookie.
    const bad = await rawLogin(f.url, "alice", "nope-nope-nope");
    expect(bad.status).toBe(401);
    expect(sessionCookieAttributes(bad)).toBeNull();
  });

  it("marks the session cookie Secure when MICELIO_SECURE_COOKIES=true", async () => {
    const g = await startTestForge({ MICELIO_SECURE_COOKIES: "true" });
    try {
      const b = new Browser(g.url);
      expect(
        (
          await b.submit("/signup", "/signup", {
            handle: "sam",
            email: "sam@example.test",
            password: PASSWORD,
          })
        ).status,
      ).toBe(303);
      const r = await rawLogin(g.url, "sam", PASSWORD);
      expect(r.status).toBe(303);
      const attrs = sessionCookieAttributes(r);
      expect(attrs).toContain("secure");
      expect(attrs).toContain("httponly");
      expect(attrs).toContain("samesite=lax");
    } finally {
      await g.close();
    }
  });

  it("logs out by deleting the server-side session: the old cookie no longer authenticates", async () => {
    const b = new Browser(f.url);
    const other = new Browser(f.url);
    expect((await b.submit("/login", "/login", { login: "alice", password: PASSWORD })).status).toBe(303);
    expect((await other.submit("/login", "/login", { login: "alice", password: PASSWORD })).status).toBe(303);
    const oldCookie = cookieValue(b, "mc_session")!;
    expect(oldCookie).toBeTruthy();
    const sessionRow = () =>
      f.forge.db
        .selectFrom("web_sessions")
        .select("id")
        .where("id", "=", sha256(oldCookie))
        .executeTakeFirst();
    expect(await sessionRow()).toBeDefined();
    expect((await whoAmI(`mc_session=${oldCookie}`)).status).toBe(200);

    const out = await b.submit("/", "/logout", {});
    expect(out.status).toBe(303);
    expect(out.location).toBe("/");
    expect(cookieValue(b, "mc_session")).toBeUndefined();
    expect(await sessionRow()).toBeUndefined();
    // Replaying the old cookie, as someone who copied it would, gets nowhere.
    expect((await whoAmI(`mc_session=${oldCookie}`)).status).toBe(401);
    const home = await fetch(`${f.url}/`, { headers: { cookie: `mc_session=${oldCookie}` } });
    expect(await home.text()).not.toContain('action="/logout"');
    // Other sessions of the same account are not affected.
    expect((await whoAmI(other.cookieHeader)).status).toBe(200);
  });

  it("keeps /login?next=//evil.example and friends on this site", async () => {
    const origin = new URL(f.url).origin;
    const offSite = [
      "//evil.example",
      "///evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "https://evil.example/",
      "http:evil.example",
      "javascript:alert(1)",
      " //evil.example",
      "evil.example",
    ];
    for (const next of offSite) {
      const b = new Browser(f.url);
      const page = await b.get(`/login?next=${encodeURIComponent(next)}`);
      expect(page.status).toBe(200);
      const hidden = /name="next" value="([^"]*)"/.exec(page.html)?.[1];
      expect(hidden, next).toBe("/");
      // Even a crafted form that posts `next` directly lands on this site.
      const r = await b.submit("/login", "/login", { login: "alice", password: PASSWORD, next });
      expect(r.status, next).toBe(303);
      expect(new URL(r.location!, f.url).origin, next).toBe(origin);
    }
    // A failed log-in keeps only a safe `next` for the retry.
    const b = new Browser(f.url);
    const failed = await b.submit("/login", "/login", {
      login: "alice",
      password: "wrong",
      next: "//evil.example",
    });
    expect(failed.status).toBe(401);
    expect(/name="next" value="([^"]*)"/.exec(failed.html)?.[1]).toBe("/");
  });

  it("follows a same-site next after log-in", async () => {
    const b = new Browser(f.url);
    const page = await b.get(`/login?next=${encodeURIComponent("/alice?tab=projects")}`);
    expect(/name="next" value="([^"]*)"/.exec(page.html)?.[1]).toBe("/alice?tab=projects");
    const r = await b.submit("/login", "/login", {
      login: "alice",
      password: PASSWORD,
      next: "/alice?tab=projects",
    });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/alice?tab=projects");
  });

  it("keeps a next with a tab or newline (/%09/evil.example) on this site", async () => {
    for (const next of ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example"]) {
      const b = new Browser(f.url);
      const r = await b.submit("/login", "/login", { login: "alice", password: PASSWORD, next });
      expect(r.status, JSON.stringify(next)).toBe(303);
      expect(r.location).toBe("/");
    }
  });
});
