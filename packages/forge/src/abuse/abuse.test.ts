// Abuse signals on a real forge with small thresholds: sign-ups from one address, projects
// per hour, link-heavy descriptions and READMEs, and refused pushes put the account in the
// review queue with the explanation (signal, numbers, when); administrators dismiss or
// suspend from the API and the page, audited; every /admin page and /api/v1/admin route is
// 404 to anyone else. countLinks is checked as a property.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";
import { countLinks } from "./abuse-signals.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;
const work = mkdtempSync(join(tmpdir(), "micelio-abuse-"));
const links = (n: number) =>
  Array.from({ length: n }, (_, i) => `see https://spam${i}.example/buy`).join(" ");

describe("countLinks", () => {
  it("counts each URL among any words", () => {
    const word = fc.stringMatching(/^[a-z]{1,8}$/);
    const url = fc.tuple(
      fc.constantFrom("http://", "https://", "www."),
      fc.stringMatching(/^[a-z0-9]{1,10}$/),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            word.map((w) => ({ w })),
            url.map(([s, h]) => ({ u: `${s}${h}.test/x` })),
          ),
        ),
        (parts) => {
          const text = parts.map((p) => ("w" in p ? p.w : p.u)).join(" ");
          expect(countLinks(text)).toBe(parts.filter((p) => "u" in p).length);
        },
      ),
    );
  });
});

describe("abuse signals and the review queue", () => {
  let f: TestForge;
  let ada: User; // administrator
  let spammer: User;
  let writer: User;

  const A = (method: string, path: string, json?: unknown) =>
    api(f.url, method, `/api/v1${path}`, { token: ada.token, json });
  const queue = async (state = "open") =>
    (await A("GET", `/admin/review?state=${state}`)).body as {
      id: string;
      account: string;
      signal: string;
      explanation: string;
      data: Record<string, unknown>;
      created_at: string;
    }[];
  const entry = async (account: string, signal: string) =>
    (await queue()).find((e) => e.account === account && e.signal === signal);

  beforeAll(async () => {
    f = await startTestForge({
      MICELIO_ABUSE_SIGNUPS_PER_IP: "2",
      MICELIO_ABUSE_PROJECTS_PER_HOUR: "2",
      MICELIO_ABUSE_LINKS: "3",
      MICELIO_ABUSE_FAILED_PUSHES: "1",
    });
    ada = await userWithToken(f.url, "ada", ["project:read", "project:write", "admin"]);
    spammer = await userWithToken(f.url, "spammer");
    await userWithToken(f.url, "eve"); // the third sign-up from the address
    writer = await userWithToken(f.url, "writer");
  });
  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("flags the sign-up past the per-address threshold, explaining the numbers", async () => {
    expect(await entry("spammer", "signups_per_ip")).toBeUndefined();
    const e = await entry("eve", "signups_per_ip");
    expect(e?.explanation).toMatch(
      /^3 accounts were signed up from \S+ within one hour \(more than 2\); eve is the latest\.$/,
    );
    expect(e?.data).toMatchObject({ count: 3, threshold: 2, window_seconds: 3600 });
    expect(Date.parse(e!.created_at)).not.toBeNaN();
  });

  it("flags many projects within an hour and a link-heavy description", async () => {
    const create = (handle: string, description = "") =>
      api(f.url, "POST", "/api/v1/projects", { token: spammer.token, json: { handle, description } });
    expect((await create("a")).status).toBe(201);
    expect((await create("b", `Cheap pills ${links(3)}`)).status).toBe(201);
    expect(await entry("spammer", "projects_per_hour")).toBeUndefined();
    const linky = await entry("spammer", "link_heavy");
    expect(linky?.explanation).toBe("the description of spammer/b holds 3 links (3 or more).");
    expect((await create("c")).status).toBe(201);
    const many = await entry("spammer", "projects_per_hour");
    expect(many?.explanation).toBe(
      "spammer created 3 projects within one hour (more than 2); the latest is spammer/c.",
    );
    // A signal that fires again while its entry is open adds nothing.
    expect((await create("d")).status).toBe(201);
    expect(
      (await queue()).filter((e) => e.account === "spammer" && e.signal === "projects_per_hour"),
    ).toHaveLength(1);
  });

  it("flags a README full of links once it is indexed, and refused pushes", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: writer.token, json: { handle: "site" } }))
        .status,
    ).toBe(201);
    const src = join(work, "site");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "README.md"), `# Deals\n\n${links(5)}\n`);
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "readme");
    const remote = new URL("/writer/site.git", f.url);
    [remote.username, remote.password] = ["writer", writer.token];
    await runGit(src, "push", "-q", remote.toString(), "main");
    let readme: Awaited<ReturnType<typeof entry>>;
    for (let i = 0; i < 120 && !readme; i++) {
      readme = await entry("writer", "link_heavy");
      if (!readme) await new Promise((r) => setTimeout(r, 250));
    }
    expect(readme?.explanation).toBe("the README of writer/site holds 5 links (3 or more).");

    // Trunk protected: direct pushes to main are refused by the pre-receive hook.
    const patched = await api(f.url, "PATCH", "/api/v1/projects/writer/site", {
      token: writer.token,
      json: { trunk_push: "sessions_only" },
    });
    expect(patched.status).toBe(200);
    for (const n of [1, 2]) {
      writeFileSync(join(src, "more.txt"), `try ${n}\n`);
      await runGit(src, "add", ".");
      await runGit(src, "commit", "-q", "-m", `try ${n}`);
      expect((await tryGit(src, "push", "-q", remote.toString(), "main")).ok).toBe(false);
    }
    const pushes = await entry("writer", "failed_pushes");
    expect(pushes?.explanation).toBe(
      "2 failed pushes by writer within one hour (more than 1): 2 refused by the forge's checks, 0 with a wrong password.",
    );
    const refused = await A("GET", "/admin/audit?action=push.refused");
    expect(refused.body[0]).toMatchObject({ actor: "writer", target: "writer/site" });
    expect(refused.body[0].data.refs[0]).toMatch(/^refs\/heads\/main: /);
  });

  it("shows the queue with explanations to administrators, who dismiss or suspend; audited", async () => {
    const admin = new Browser(f.url);
    await admin.submit("/login", "/login", { login: "ada", password: ada.password });
    const page = await admin.get("/admin/review");
    expect(page.status).toBe(200);
    expect(page.html).toContain("spammer created 3 projects within one hour (more than 2)");
    expect(page.html).toContain("the README of writer/site holds 5 links (3 or more).");

    const eveEntry = (await entry("eve", "signups_per_ip"))!;
    const dismissed = await admin.submit("/admin/review", `/admin/review/${eveEntry.id}/dismiss`, {});
    expect(dismissed.status).toBe(303);
    expect(await entry("eve", "signups_per_ip")).toBeUndefined();
    expect((await queue("dismissed")).map((e) => e.account)).toContain("eve");
    expect((await A("POST", `/admin/review/${eveEntry.id}/dismiss`, {})).status).toBe(409);

    const spam = (await entry("spammer", "projects_per_hour"))!;
    const suspended = await A("POST", `/admin/review/${spam.id}/suspend`, { reason: "spam projects" });
    expect(suspended.status).toBe(204);
    expect((await queue()).filter((e) => e.account === "spammer")).toEqual([]);
    expect((await queue("suspended")).filter((e) => e.account === "spammer")).toHaveLength(2);
    expect((await api(f.url, "GET", "/api/v1/user", { token: spammer.token })).status).toBe(401);

    const audit = await f.forge.db
      .selectFrom("audit_log")
      .select(["actor", "action", "target", "ip", "data"])
      .where("action", "in", ["abuse.flag", "abuse.dismiss", "abuse.suspend", "account.suspend"])
      .orderBy("id")
      .execute();
    const actions = audit.map((a) => `${a.actor}:${a.action}:${a.target}`);
    expect(actions).toContain(":abuse.flag:eve");
    expect(actions).toContain("ada:abuse.dismiss:eve");
    expect(actions).toContain("ada:account.suspend:spammer");
    expect(actions).toContain("ada:abuse.suspend:spammer");
    // Every entry carries the address, except flags raised by background work (README indexing).
    for (const a of audit.filter((a) => !(a.action === "abuse.flag" && a.target === "writer")))
      expect(a.ip, `${a.action} ${a.target}`).toMatch(/127\.0\.0\.1/);
    expect(audit.find((a) => a.action === "abuse.flag" && a.target === "eve")?.data).toMatchObject({
      signal: "signups_per_ip",
      count: 3,
    });
  });

  it("answers 404 on every /admin page and /api/v1/admin route to non-administrators", async () => {
    const doc = (await api(f.url, "GET", "/api/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith("/v1/admin"))
      .flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => [m.toUpperCase(), p.replace(/\{[^}]+\}/g, "writer")]),
      );
    expect(routes.length).toBeGreaterThan(15);
    expect(routes).toContainEqual(["GET", "/v1/admin/review"]);
    expect(routes).toContainEqual(["PATCH", "/v1/admin/users/writer"]);
    // writer is no administrator; ada's token without the admin scope is not enough either.
    const plain = (
      await api(f.url, "POST", "/api/v1/tokens", {
        basic: ["ada", ada.password],
        json: { name: "plain", scopes: ["project:read"] },
      })
    ).body.token as string;
    for (const token of [writer.token, plain, undefined]) {
      for (const [method, path] of routes) {
        const r = await api(f.url, method, `/api${path}`, { token, json: method === "GET" ? undefined : {} });
        expect(r.status, `${method} ${path}`).toBe(token ? 404 : r.status === 401 ? 401 : 404);
      }
    }
    const web = new Browser(f.url);
    await web.submit("/login", "/login", { login: "writer", password: writer.password });
    for (const path of [
      "/admin",
      "/admin/users",
      "/admin/users/writer",
      "/admin/projects",
      "/admin/registration",
      "/admin/jobs",
      "/admin/audit",
      "/admin/audit?format=jsonl",
      "/admin/review",
      "/admin/review?state=dismissed",
    ]) {
      expect((await web.get(path)).status, path).toBe(404);
    }
    for (const path of [
      "/admin/review/x/dismiss",
      "/admin/review/x/suspend",
      "/admin/users/writer/project-limit",
    ]) {
      expect((await web.submit("/", path, { confirm: "yes" })).status, path).toBe(404);
    }
  });

  it("checks a description edited later for links, as at creation", async () => {
    expect((await A("POST", "/projects", { handle: "clean", description: "Plain words" })).status).toBe(201);
    expect(await entry("ada", "link_heavy")).toBeUndefined();
    expect((await A("PATCH", "/projects/ada/clean", { description: "Plain words" })).status).toBe(200);
    expect(await entry("ada", "link_heavy")).toBeUndefined();
    expect((await A("PATCH", "/projects/ada/clean", { description: `Now ${links(3)}` })).status).toBe(200);
    expect((await entry("ada", "link_heavy"))?.explanation).toBe(
      "the description of ada/clean holds 3 links (3 or more).",
    );
  });
});
