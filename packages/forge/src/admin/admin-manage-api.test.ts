// Instance administration over the API: only administrators with the admin scope see it;
// suspension refuses tokens, passwords, git clone and push and hides public projects until lifted; the
// last administrator stays; transfer keeps the repository and refuses collisions; the
// registration mode and single-use, expiring invites govern sign-up; everything is audited.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;
const work = mkdtempSync(join(tmpdir(), "micelio-admin-"));

describe("administration API", () => {
  let f: TestForge;
  let ada: User; // first account: administrator, token with the admin scope
  let adaPlain: User["token"]; // ada's token without the admin scope
  let sam: User;
  let tia: User;
  const gitUrl = (path: string, user?: string, token?: string) => {
    const u = new URL(path, f.url);
    if (user && token) [u.username, u.password] = [user, token];
    return u.toString();
  };
  const A = (method: string, path: string, json?: unknown) =>
    api(f.url, method, `/api/v1${path}`, { token: ada.token, json });
  const auditActions = async () =>
    (
      await f.forge.db.selectFrom("audit_log").select(["action", "target", "actor"]).orderBy("id").execute()
    ).map((r) => `${r.actor}:${r.action}:${r.target}`);

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada", ["project:read", "project:write", "admin"]);
    adaPlain = (
      await api(f.url, "POST", "/api/v1/tokens", {
        basic: ["ada", ada.password],
        json: { name: "plain", scopes: ["project:read"] },
      })
    ).body.token;
    sam = await userWithToken(f.url, "sam");
    tia = await userWithToken(f.url, "tia");
    for (const [token, handle, visibility] of [
      [sam.token, "garden", "public"],
      [sam.token, "diary", "private"],
      [tia.token, "garden", "public"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", { token, json: { handle, visibility } });
      expect(r.status).toBe(201);
    }
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "a.txt"), "hello\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "one");
    await runGit(src, "push", "-q", gitUrl("/sam/garden.git", "sam", sam.token), "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("does not exist for anonymous visitors, users, or tokens without the admin scope", async () => {
    const routes: [string, string][] = [
      ["GET", "/admin/overview"],
      ["GET", "/admin/users"],
      ["POST", "/admin/users/tia/suspend"],
      ["POST", "/admin/users/tia/unsuspend"],
      ["POST", "/admin/users/tia/admin"],
      ["DELETE", "/admin/users/ada/admin"],
      ["GET", "/admin/projects"],
      ["POST", "/admin/projects/tia/garden/transfer"],
      ["DELETE", "/admin/projects/tia/garden"],
      ["GET", "/admin/registration"],
      ["PUT", "/admin/registration"],
      ["POST", "/admin/invites"],
      ["GET", "/admin/invites"],
      ["DELETE", "/admin/invites/x"],
    ];
    for (const [method, path] of routes) {
      const json = method === "PUT" ? { mode: "closed" } : method === "POST" ? { owner: "sam" } : undefined;
      for (const token of [undefined, sam.token, adaPlain]) {
        const r = await api(f.url, method, `/api/v1${path}`, { token, json });
        expect(r.status, `${method} ${path} ${token ? "token" : "anonymous"}`).toBe(404);
      }
    }
    expect((await A("GET", "/admin/registration")).body).toEqual({ mode: "open" });
    expect((await A("GET", "/admin/projects?q=garden")).body).toHaveLength(2);
  });

  it("shows the instance overview", async () => {
    const r = await A("GET", "/admin/overview");
    expect(r.status).toBe(200);
    expect(r.body.accounts).toMatchObject({ users: 3, organizations: 0 });
    expect(r.body.projects).toMatchObject({ public: 2, private: 1 });
    expect(r.body.repository_disk.bytes).toBeGreaterThan(0);
    expect(r.body.jobs).toHaveProperty("dead");
  });

  it("searches accounts with wildcards taken literally", async () => {
    expect((await A("GET", "/admin/users?q=SA")).body.map((u: { handle: string }) => u.handle)).toEqual([
      "sam",
    ]);
    expect((await A("GET", "/admin/users?q=%25")).body).toEqual([]);
    expect((await A("GET", "/admin/users?q=_")).body).toEqual([]);
    expect((await A("GET", "/admin/users?q=example.test&limit=2")).body).toHaveLength(2);
  });

  it("suspends: tokens, passwords and git refused, public projects hidden; unsuspending restores", async () => {
    const clone = (dir: string, token?: string) =>
      tryGit(
        work,
        "clone",
        "-q",
        gitUrl("/sam/garden.git", token ? "sam" : undefined, token),
        join(work, dir),
      );
    expect((await api(f.url, "GET", "/api/v1/projects/sam/garden")).status).toBe(200);
    expect((await api(f.url, "PUT", "/api/v1/user/starred/tia/garden", { token: sam.token })).status).toBe(
      204,
    );
    expect((await api(f.url, "PUT", "/api/v1/user/following/sam", { token: tia.token })).status).toBe(204);
    const s = await A("POST", "/admin/users/sam/suspend", { reason: "spam" });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ handle: "sam", suspended: true, suspended_reason: "spam" });
    expect((await api(f.url, "GET", "/api/v1/user", { token: sam.token })).status).toBe(401);
    expect((await api(f.url, "GET", "/api/v1/user", { basic: ["sam", sam.password] })).status).toBe(401);
    expect((await clone("c1", sam.token)).ok).toBe(false);
    expect((await clone("c2")).ok).toBe(false);
    const src = join(work, "src");
    writeFileSync(join(src, "b.txt"), "while suspended\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "two");
    const push = () => tryGit(src, "push", "-q", gitUrl("/sam/garden.git", "sam", sam.token), "main");
    expect((await push()).ok).toBe(false);
    expect((await api(f.url, "GET", "/api/v1/projects/sam/garden")).status).toBe(404);
    expect((await api(f.url, "GET", "/api/v1/projects/sam/garden", { token: tia.token })).status).toBe(404);
    const listed = await api(f.url, "GET", "/api/v1/projects", { token: tia.token });
    expect(listed.body.map((p: { full_name: string }) => p.full_name)).not.toContain("sam/garden");
    const names = async () =>
      (await api(f.url, "GET", "/api/v1/search/projects?q=garden")).body.items.map(
        (p: { full_name: string }) => p.full_name,
      );
    expect(await names()).toEqual(["tia/garden"]);
    expect((await A("GET", "/api/v1/projects/sam/garden".replace("/api/v1", ""))).status).toBe(200);
    // The account itself is hidden too: profile, JSON, avatar, picture, lists, search.
    const hidden = [
      "/sam",
      "/users/sam/avatar",
      "/users/sam/followers",
      `/sam/og/${"0".repeat(32)}.png`,
      "/api/v1/users/sam",
      "/api/v1/users/sam/starred",
      "/api/v1/users/sam/followers",
    ];
    for (const path of hidden) {
      expect((await api(f.url, "GET", path)).status, path).toBe(404);
      expect((await api(f.url, "GET", path, { token: tia.token })).status, path).toBe(404);
    }
    const gazers = async (token?: string) =>
      (await api(f.url, "GET", "/api/v1/projects/tia/garden/stargazers", { token })).body.map(
        (u: { handle: string }) => u.handle,
      );
    expect(await gazers()).not.toContain("sam");
    expect(await gazers(ada.token)).toContain("sam");
    expect((await api(f.url, "GET", "/api/v1/user/following/sam", { token: tia.token })).status).toBe(404);
    const users = await api(f.url, "GET", "/api/v1/search/users?q=sam");
    expect(users.body.items.map((u: { handle: string }) => u.handle)).not.toContain("sam");
    expect((await A("GET", "/users/sam")).status).toBe(200); // administrators still see it

    expect((await A("POST", "/admin/users/sam/unsuspend")).body.suspended).toBe(false);
    expect((await api(f.url, "GET", "/api/v1/user", { token: sam.token })).status).toBe(200);
    expect((await clone("c3", sam.token)).ok).toBe(true);
    expect((await push()).ok).toBe(true);
    await runGit(src, "reset", "-q", "--hard", "HEAD~1"); // keep the history the transfer test expects
    expect(
      (await tryGit(src, "push", "-q", "-f", gitUrl("/sam/garden.git", "sam", sam.token), "main")).ok,
    ).toBe(true);
    expect((await api(f.url, "GET", "/api/v1/projects/sam/garden")).status).toBe(200);
    expect((await names()).sort()).toEqual(["sam/garden", "tia/garden"]);
    expect((await api(f.url, "GET", "/sam")).status).toBe(200);
    expect((await api(f.url, "GET", "/api/v1/users/sam")).status).toBe(200);
  });

  it("refuses to suspend oneself and to revoke the last administrator", async () => {
    expect((await A("POST", "/admin/users/ada/suspend")).status).toBe(403);
    expect((await A("DELETE", "/admin/users/ada/admin")).status).toBe(409);
    expect((await A("POST", "/admin/users/tia/admin")).body.is_admin).toBe(true);
    expect((await A("DELETE", "/admin/users/ada/admin")).body.is_admin).toBe(false);
    // ada is no longer an administrator: the admin API disappears for it.
    expect((await A("GET", "/admin/overview")).status).toBe(404);
    const tiaAdmin = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["tia", tia.password],
      json: { name: "adm", scopes: ["admin"] },
    });
    const T = (m: string, p: string) => api(f.url, m, `/api/v1${p}`, { token: tiaAdmin.body.token });
    expect((await T("DELETE", "/admin/users/tia/admin")).status).toBe(409);
    expect((await T("POST", "/admin/users/ada/admin")).status).toBe(200);
    expect((await A("DELETE", "/admin/users/tia/admin")).status).toBe(200);
  });

  it("transfers a project keeping its repository, and refuses a handle collision", async () => {
    const clash = await A("POST", "/admin/projects/sam/garden/transfer", { owner: "tia" });
    expect(clash.status).toBe(409);
    expect(clash.headers.get("content-type")).toContain("problem+json");
    expect((await A("POST", "/admin/projects/sam/garden/transfer", { owner: "nobody" })).status).toBe(404);
    const moved = await A("POST", "/admin/projects/sam/garden/transfer", { owner: "ada" });
    expect(moved.status).toBe(200);
    expect(moved.body.full_name).toBe("ada/garden");
    expect((await api(f.url, "GET", "/api/v1/projects/sam/garden")).status).toBe(404);
    const cloned = await tryGit(work, "clone", "-q", gitUrl("/ada/garden.git"), join(work, "moved"));
    expect(cloned.ok, cloned.out).toBe(true);
    expect(await runGit(join(work, "moved"), "log", "--format=%s")).toBe("one");
  });

  it("deletes a project", async () => {
    expect((await A("DELETE", "/admin/projects/sam/diary")).status).toBe(204);
    expect((await A("GET", "/admin/projects?q=diary")).body).toEqual([]);
    expect((await A("DELETE", "/admin/projects/sam/diary")).status).toBe(404);
  });

  it("enforces the registration modes and single-use, expiring invites", async () => {
    const signup = (handle: string, invite?: string) =>
      api(f.url, "POST", "/api/v1/signup", {
        json: { handle, email: `${handle}@example.test`, password: "long-enough-pw", invite },
      });
    expect((await A("PUT", "/admin/registration", { mode: "sometimes" })).status).toBe(400);
    expect((await A("PUT", "/admin/registration", { mode: "closed" })).body).toEqual({ mode: "closed" });
    const closed = await signup("carl");
    expect(closed.status).toBe(403);
    expect(closed.body.detail).toMatch(/closed/);

    expect((await A("PUT", "/admin/registration", { mode: "invite-only" })).status).toBe(200);
    expect((await signup("carl")).status).toBe(403);
    const inv = await A("POST", "/admin/invites", { note: "for carl" });
    expect(inv.status).toBe(201);
    expect(inv.body.url).toBe(`${f.url}/signup?invite=${inv.body.token}`);
    expect((await signup("carl", "wrong-token")).status).toBe(403);
    expect((await signup("carl", inv.body.token)).status).toBe(201);
    expect((await signup("dora", inv.body.token)).status).toBe(403); // single use
    const listed = await A("GET", "/admin/invites");
    expect(listed.body[0]).toMatchObject({
      id: inv.body.id,
      state: "used",
      used_by: "carl",
      note: "for carl",
    });

    const old = await A("POST", "/admin/invites", {});
    await f.forge.db
      .updateTable("invites")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", old.body.id)
      .execute();
    expect((await signup("dora", old.body.token)).status).toBe(403);
    const revoked = await A("POST", "/admin/invites", {});
    expect((await A("DELETE", `/admin/invites/${revoked.body.id}`)).status).toBe(204);
    expect((await signup("dora", revoked.body.token)).status).toBe(403);

    expect((await A("PUT", "/admin/registration", { mode: "open" })).status).toBe(200);
    expect((await signup("dora")).status).toBe(201);
  });

  it("records every administrative action in the audit log", async () => {
    const log = await auditActions();
    for (const expected of [
      "ada:account.suspend:sam",
      "ada:account.unsuspend:sam",
      "ada:account.admin.grant:tia",
      "ada:account.admin.revoke:ada",
      "tia:account.admin.grant:ada",
      "ada:account.admin.revoke:tia",
      "ada:project.transfer:ada/garden",
      "ada:project.delete:sam/diary",
      "ada:instance.registration:closed",
      "ada:instance.registration:invite-only",
      "ada:instance.registration:open",
      "ada:invite.create:for carl",
      "ada:invite.revoke:",
    ])
      expect(log).toContain(expected);
    const audit = await A("GET", "/admin/audit?action=account.suspend");
    expect(audit.body[0]).toMatchObject({ actor: "ada", target: "sam", data: { reason: "spam" } });
    expect(audit.body[0].ip).toMatch(/127\.0\.0\.1/);
  });

  it("hides a suspended organization's JSON and members from all but administrators", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/orgs", { token: tia.token, json: { handle: "tia-co" } })).status,
    ).toBe(201);
    expect((await A("POST", "/admin/users/tia-co/suspend", { reason: "spam" })).status).toBe(200);
    for (const path of ["/api/v1/orgs/tia-co", "/api/v1/orgs/tia-co/members", "/tia-co"])
      expect((await api(f.url, "GET", path, { token: tia.token })).status, path).toBe(404);
    expect((await A("GET", "/orgs/tia-co")).status).toBe(200);
    expect((await A("POST", "/admin/users/tia-co/unsuspend")).status).toBe(200);
    expect((await api(f.url, "GET", "/api/v1/orgs/tia-co")).status).toBe(200);
  });
});
