// The administration forms under hostile input, as an administrator would never send it but
// a forged or fuzzed form can: NUL bytes and oversized text, ids out of range, unknown
// handles, missing or wrong CSRF tokens. Every one is a 4xx page, never a 5xx, nothing
// changes, and what the pages echo back is escaped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;

describe("administration forms under hostile input", () => {
  let f: TestForge;
  let ada: User;
  let ben: User;
  let admin: Browser;

  const auditCount = async () =>
    Number(
      (
        await f.forge.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada"); // the first account: an administrator
    ben = await userWithToken(f.url, "ben");
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: ben.token, json: { handle: "notes" } })).status,
    ).toBe(201);
    admin = new Browser(f.url);
    expect(
      (await admin.submit("/login", "/login", { login: ada.handle, password: ada.password })).status,
    ).toBe(303);
  });
  afterAll(() => f.close());

  it("answers every malformed form with a 4xx page and changes nothing", async () => {
    const before = await auditCount();
    const nul = "a\u0000b";
    const huge = "x".repeat(100_000);
    const cases: Array<[string, string, Record<string, string>]> = [
      ["/admin/users/ben", "/admin/users/ben/suspend", { confirm: "yes", reason: nul }],
      ["/admin/users/ben", "/admin/users/ben/suspend", { confirm: "yes", reason: huge }],
      ["/admin/users", "/admin/users/no%00body/suspend", { confirm: "yes" }],
      ["/admin/users", `/admin/users/${"z".repeat(5000)}/admin`, { grant: "yes" }],
      ["/admin/registration", "/admin/registration", { mode: nul }],
      ["/admin/registration", "/admin/registration", { mode: "wide-open" }],
      ["/admin/registration", "/admin/invites", { note: nul }],
      ["/admin/registration", "/admin/invites", { note: huge }],
      ["/admin/registration", "/admin/invites", { expires_in_days: "1e400" }],
      ["/admin/registration", "/admin/invites/%00/revoke", {}],
      ["/admin/jobs", "/admin/jobs/99999999999/retry", {}],
      ["/admin/jobs", "/admin/jobs/1.5/retry", {}],
      ["/admin/jobs", "/admin/jobs/-1/retry", {}],
      ["/admin/jobs", "/admin/jobs/1e3/retry", {}],
      ["/admin/projects/ben/notes", "/admin/projects/ben/notes/transfer", { owner: nul }],
      ["/admin/projects/ben/notes", "/admin/projects/ben/notes/transfer", { owner: huge }],
      ["/admin/projects/ben/notes", "/admin/projects/ben/notes/delete", { confirm: nul }],
      ["/admin/projects", "/admin/projects/ben/no%00tes/delete", { confirm: "ben/no\u0000tes" }],
    ];
    const answers: string[] = [];
    for (const [from, action, fields] of cases) {
      const r = await admin.submit(from, action, fields);
      answers.push(`${r.status} ${action} ${JSON.stringify(fields).slice(0, 40)}`);
    }
    for (const path of [
      "/admin/users/no%00body",
      "/admin/projects/ben/no%00tes",
      "/admin/users?q=%00&page=1e400",
    ]) {
      const r = await admin.get(path);
      answers.push(`${r.status} GET ${path}`);
    }
    expect(answers.filter((a) => !/^4\d\d /.test(a))).toEqual([]);
    const ben2 = await f.forge.db
      .selectFrom("accounts")
      .select(["suspended_at", "is_admin"])
      .where("handle", "=", "ben")
      .executeTakeFirstOrThrow();
    expect(ben2.suspended_at).toBeNull();
    expect(await auditCount()).toBe(before);
  });

  it("refuses a form without this session's CSRF token", async () => {
    for (const csrf of ["", "forged-token"]) {
      const r = await admin.submit(
        "/admin/users/ben",
        "/admin/users/ben/suspend",
        { confirm: "yes", reason: "csrf" },
        { csrf },
      );
      expect(r.status).toBe(403);
    }
    const ben2 = await f.forge.db
      .selectFrom("accounts")
      .select("suspended_at")
      .where("handle", "=", "ben")
      .executeTakeFirstOrThrow();
    expect(ben2.suspended_at).toBeNull();
  });

  it("escapes what it shows back: a reason, an invite note, a search", async () => {
    const script = "<script>alert(1)</script>";
    const invite = await admin.submit("/admin/registration", "/admin/invites", { note: script });
    expect(invite.status).toBe(200);
    expect(invite.html).not.toContain(script);
    expect(invite.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const search = await admin.get(`/admin/users?q=${encodeURIComponent(script)}`);
    expect(search.html).not.toContain(script);
    const suspended = await admin.submit("/admin/users/ben", "/admin/users/ben/suspend", {
      confirm: "yes",
      reason: script,
    });
    expect(suspended.status).toBe(303);
    const page = await admin.get("/admin/users/ben");
    expect(page.html).not.toContain(script);
    expect(page.html).toContain("&lt;script&gt;");
    const audit = await admin.get("/admin/audit");
    expect(audit.html).not.toContain(script);
  });
});
