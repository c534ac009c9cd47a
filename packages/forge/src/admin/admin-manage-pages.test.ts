// The administration pages: they do not exist (404) for anonymous visitors and users;
// suspension through the pages ends the user's web session and refuses their sign-in with a
// clear message until lifted; the last administrator stays; project transfer refuses a
// collision and delete needs the typed name; the registration mode and invite links govern
// the sign-up page; every action is audited; and the pages fit a 320 px wide screen.
import type { Browser as Chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../testing/chromium.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { newPageAt, sidewaysOverflow } from "../testing/pages.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;

describe("administration pages", () => {
  let f: TestForge;
  let ada: User;
  let ben: User;
  let cleo: User;
  let admin: Browser;
  let chromium: Chromium | undefined;

  async function signIn(user: User) {
    const b = new Browser(f.url);
    const r = await b.submit("/login", "/login", { login: user.handle, password: user.password });
    expect(r.status).toBe(303);
    return b;
  }

  const actions = async () =>
    (
      await f.forge.db.selectFrom("audit_log").select(["actor", "action", "target"]).orderBy("id").execute()
    ).map((r) => `${r.actor}:${r.action}:${r.target}`);

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    ben = await userWithToken(f.url, "ben");
    cleo = await userWithToken(f.url, "cleo");
    for (const [token, handle] of [
      [ben.token, "notes"],
      [cleo.token, "notes"],
    ]) {
      expect((await api(f.url, "POST", "/api/v1/projects", { token, json: { handle } })).status).toBe(201);
    }
    admin = await signIn(ada);
  });
  afterAll(async () => {
    await chromium?.close();
    await f.close();
  });

  it("does not exist for anonymous visitors and ordinary users", async () => {
    const anonymous = new Browser(f.url);
    const user = await signIn(cleo);
    const pages = [
      "/admin",
      "/admin/users",
      "/admin/users/ben",
      "/admin/projects",
      "/admin/projects/ben/notes",
      "/admin/registration",
    ];
    for (const b of [anonymous, user]) {
      for (const path of pages) expect((await b.get(path)).status, path).toBe(404);
      for (const action of [
        "/admin/users/ben/suspend",
        "/admin/users/cleo/admin",
        "/admin/projects/ben/notes/delete",
        "/admin/registration",
        "/admin/invites",
      ]) {
        const r = await b.submit("/login", action, { confirm: "yes", grant: "yes", mode: "closed" });
        expect(r.status, action).toBe(404);
      }
    }
    expect((await admin.get("/admin")).html).toContain("Repository disk use");
  });

  it("searches accounts and pages through them", async () => {
    const r = await admin.get("/admin/users?q=BE");
    expect(r.status).toBe(200);
    expect(r.html).toContain('href="/admin/users/ben"');
    expect(r.html).not.toContain('href="/admin/users/cleo"');
    expect((await admin.get("/admin/users?q=%25")).html).toContain("No accounts match");
  });

  it("suspends through the pages: session ended, sign-in refused, projects hidden; lifting restores", async () => {
    const benBrowser = await signIn(ben);
    expect((await benBrowser.get("/settings/tokens")).status).toBe(200);
    const unconfirmed = await admin.submit("/admin/users/ben", "/admin/users/ben/suspend", {
      reason: "abuse",
    });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.html).toContain("Tick the confirmation box");
    const done = await admin.submit("/admin/users/ben", "/admin/users/ben/suspend", {
      reason: "abuse",
      confirm: "yes",
    });
    expect(done.status).toBe(303);
    expect((await admin.get("/admin/users/ben")).html).toContain("Suspended since");
    expect((await benBrowser.get("/settings/tokens")).status).not.toBe(200);
    const login = await new Browser(f.url).submit("/login", "/login", {
      login: "ben",
      password: ben.password,
    });
    expect(login.status).toBe(403);
    expect(login.html).toContain("This account is suspended");
    expect((await new Browser(f.url).get("/ben/notes")).status).toBe(404);
    expect((await admin.get("/ben/notes")).status).toBe(200);

    expect((await admin.submit("/admin/users/ben", "/admin/users/ben/unsuspend", {})).status).toBe(303);
    expect((await new Browser(f.url).get("/ben/notes")).status).toBe(200);
    await signIn(ben);
  });

  it("grants and revokes the administrator role, never the last one, and not oneself suspended", async () => {
    const self = await admin.submit("/admin/users/ada", "/admin/users/ada/suspend", { confirm: "yes" });
    expect(self.status).toBe(403);
    expect(self.html).toContain("cannot suspend your own account");
    const last = await admin.submit("/admin/users/ada", "/admin/users/ada/admin", {
      grant: "no",
      confirm: "yes",
    });
    expect(last.status).toBe(409);
    expect(last.html).toContain("last administrator");
    expect(
      (await admin.submit("/admin/users/cleo", "/admin/users/cleo/admin", { grant: "yes" })).status,
    ).toBe(303);
    expect((await (await signIn(cleo)).get("/admin")).status).toBe(200);
    expect(
      (await admin.submit("/admin/users/cleo", "/admin/users/cleo/admin", { grant: "no", confirm: "yes" }))
        .status,
    ).toBe(303);
    expect((await (await signIn(cleo)).get("/admin")).status).toBe(404);
  });

  it("transfers a project (409 on a collision) and deletes it only with the typed name", async () => {
    const clash = await admin.submit("/admin/projects/ben/notes", "/admin/projects/ben/notes/transfer", {
      owner: "cleo",
    });
    expect(clash.status).toBe(409);
    expect(clash.html).toContain("cleo already has a project named notes");
    const moved = await admin.submit("/admin/projects/ben/notes", "/admin/projects/ben/notes/transfer", {
      owner: "ada",
    });
    expect(moved).toMatchObject({ status: 303, location: "/admin/projects/ada/notes" });
    expect((await admin.get("/ada/notes")).status).toBe(200);
    const wrong = await admin.submit("/admin/projects/ada/notes", "/admin/projects/ada/notes/delete", {
      confirm: "notes",
    });
    expect(wrong.status).toBe(400);
    expect((await admin.get("/ada/notes")).status).toBe(200);
    const gone = await admin.submit("/admin/projects/ada/notes", "/admin/projects/ada/notes/delete", {
      confirm: "ada/notes",
    });
    expect(gone.status).toBe(303);
    expect((await admin.get("/ada/notes")).status).toBe(404);
  });

  it("governs the sign-up page with the registration mode and single-use invite links", async () => {
    // The CSRF token comes from the login form, which every visitor gets.
    const signup = (fields: Record<string, string>) =>
      new Browser(f.url).submit("/login", "/signup", { password: "long-enough-pw", ...fields });
    expect(
      (await admin.submit("/admin/registration", "/admin/registration", { mode: "closed" })).status,
    ).toBe(303);
    const closed = await new Browser(f.url).get("/signup");
    expect(closed.status).toBe(403);
    expect(closed.html).toContain("Sign-up is closed");
    expect((await signup({ handle: "dan", email: "dan@example.test" })).status).toBe(403);

    await admin.submit("/admin/registration", "/admin/registration", { mode: "invite-only" });
    expect((await new Browser(f.url).get("/signup")).html).toContain("Sign-up is by invitation");
    const created = await admin.submit("/admin/registration", "/admin/invites", {
      note: "dan",
      expires_in_days: "2",
    });
    expect(created.status).toBe(200);
    const url = /<code>(http[^<]+\/signup\?invite=[^<]+)<\/code>/.exec(created.html)?.[1];
    expect(url).toBeDefined();
    const path = new URL(url!).pathname + new URL(url!).search;
    const token = new URL(url!).searchParams.get("invite")!;
    const form = await new Browser(f.url).get(path);
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="invite"');
    const ok = await signup({ handle: "dan", email: "dan@example.test", invite: token });
    expect(ok.status).toBe(303);
    const again = await signup({ handle: "eve", email: "eve@example.test", invite: token });
    expect(again.status).toBe(403);
    expect(again.html).toContain("This invitation cannot be used");
    expect((await admin.get("/admin/registration")).html).toContain("used by dan");

    await admin.submit("/admin/registration", "/admin/registration", { mode: "open" });
    expect((await signup({ handle: "eve", email: "eve@example.test" })).status).toBe(303);
    expect((await admin.submit("/admin/registration", "/admin/registration", { mode: "maybe" })).status).toBe(
      400,
    );
  });

  it("audits every action taken through the pages", async () => {
    const log = await actions();
    for (const expected of [
      "ada:account.suspend:ben",
      "ada:account.unsuspend:ben",
      "ada:account.admin.grant:cleo",
      "ada:account.admin.revoke:cleo",
      "ada:project.transfer:ada/notes",
      "ada:project.delete:ada/notes",
      "ada:instance.registration:closed",
      "ada:instance.registration:invite-only",
      "ada:invite.create:dan",
      "ada:instance.registration:open",
    ])
      expect(log).toContain(expected);
    expect((await admin.get("/admin/audit")).html).toContain("account.suspend");
  });

  it("fits a 320 px wide screen", async () => {
    chromium = await launchChromium();
    const { page } = await newPageAt(chromium);
    await page.goto(`${f.url}/login`);
    await page.fill("#login", "ada");
    await page.fill("#password", ada.password);
    await Promise.all([page.waitForURL(`${f.url}/`), page.click("button[type=submit]")]);
    for (const path of [
      "/admin",
      "/admin/users",
      "/admin/users/ben",
      "/admin/projects",
      "/admin/registration",
    ]) {
      const res = await page.goto(`${f.url}${path}`);
      expect(res?.status(), path).toBe(200);
      expect(await sidewaysOverflow(page), path).toBeLessThanOrEqual(0);
    }
  });
});
