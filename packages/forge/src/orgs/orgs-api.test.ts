// Organizations over the JSON API: one handle namespace with users, memberships and roles
// (only owners manage them; an organization always keeps an owner), projects under an
// organization, and the signed-in user's own memberships. Steps run in order on one forge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;

describe("organizations API", () => {
  let f: TestForge;
  let olivia: User; // creates and owns acme
  let mia: User; // becomes a member, briefly an owner, then leaves
  let max: User; // a member who is removed
  let oscar: User; // never a member

  const members = async () =>
    (await api(f.url, "GET", "/api/v1/orgs/acme/members")).body as Array<{ handle: string; role: string }>;
  const roles = async () => Object.fromEntries((await members()).map((m) => [m.handle, m.role]));
  const put = (as: User, user: string, role: string) =>
    api(f.url, "PUT", `/api/v1/orgs/acme/members/${user}`, { token: as.token, json: { role } });
  const remove = (as: User, user: string) =>
    api(f.url, "DELETE", `/api/v1/orgs/acme/members/${user}`, { token: as.token });

  beforeAll(async () => {
    f = await startTestForge();
    // The first account is the instance administrator, who may manage any organization.
    await userWithToken(f.url, "ada");
    olivia = await userWithToken(f.url, "olivia");
    mia = await userWithToken(f.url, "mia");
    max = await userWithToken(f.url, "max");
    oscar = await userWithToken(f.url, "oscar");
  });
  afterAll(() => f.close());

  it("creates an organization whose creator is its only owner", async () => {
    const r = await api(f.url, "POST", "/api/v1/orgs", {
      token: olivia.token,
      json: { handle: "acme", name: "Acme Inc.", description: "Widgets" },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      handle: "acme",
      kind: "organization",
      name: "Acme Inc.",
      description: "Widgets",
      members_count: 1,
    });
    const got = await api(f.url, "GET", "/api/v1/orgs/ACME");
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ handle: "acme", members_count: 1 });
    expect(await members()).toEqual([expect.objectContaining({ handle: "olivia", role: "owner" })]);
    const asUser = await api(f.url, "GET", "/api/v1/users/acme");
    expect(asUser.body).toMatchObject({ handle: "acme", kind: "organization" });
  });

  it("requires a signed-in user and a valid handle", async () => {
    expect((await api(f.url, "POST", "/api/v1/orgs", { json: { handle: "anon-org" } })).status).toBe(401);
    for (const handle of ["bad handle", "-dash", "admin", "a".repeat(40)]) {
      const r = await api(f.url, "POST", "/api/v1/orgs", { token: olivia.token, json: { handle } });
      expect(r.status, handle).toBe(400);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
    }
  });

  it("shares the handle namespace with users, case-insensitively, in both directions", async () => {
    for (const handle of ["MIA", "Olivia", "ACME", "acme"]) {
      const r = await api(f.url, "POST", "/api/v1/orgs", { token: olivia.token, json: { handle } });
      expect(r.status, handle).toBe(409);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
    }
    const signup = await api(f.url, "POST", "/api/v1/signup", {
      json: { handle: "Acme", email: "acme@example.test", password: "acme-password" },
    });
    expect(signup.status).toBe(409);
    expect((await api(f.url, "GET", "/api/v1/orgs/mia")).status).toBe(404);
  });

  it("lets an owner add members and lists them", async () => {
    const r = await put(olivia, "mia", "member");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ handle: "mia", role: "member" });
    expect((await put(olivia, "MAX", "member")).body).toMatchObject({ handle: "max", role: "member" });
    const list = await members();
    expect(list.map((m) => m.handle)).toEqual(["max", "mia", "olivia"]);
    expect(list.every((m) => typeof (m as { since?: string }).since === "string")).toBe(true);
    expect(await roles()).toEqual({ max: "member", mia: "member", olivia: "owner" });
    expect((await api(f.url, "GET", "/api/v1/orgs/acme")).body.members_count).toBe(3);
  });

  it("refuses an unknown user, or an organization, as a member (400)", async () => {
    for (const user of ["nobody", "acme"]) {
      const r = await put(olivia, user, "member");
      expect(r.status, user).toBe(400);
      expect(r.body.errors).toEqual([expect.objectContaining({ field: "user" })]);
    }
    const badRole = await put(olivia, "oscar", "emperor");
    expect(badRole.status).toBe(400);
    expect(Object.keys(await roles())).not.toContain("oscar");
  });

  it("refuses membership changes by non-owners (403) and anonymous visitors (401)", async () => {
    expect((await put(mia, "oscar", "member")).status).toBe(403);
    expect((await put(mia, "mia", "owner")).status).toBe(403);
    expect((await put(oscar, "oscar", "owner")).status).toBe(403);
    expect((await remove(mia, "max")).status).toBe(403);
    expect((await remove(oscar, "max")).status).toBe(403);
    expect(
      (await api(f.url, "PUT", "/api/v1/orgs/acme/members/oscar", { json: { role: "member" } })).status,
    ).toBe(401);
    expect(await roles()).toEqual({ max: "member", mia: "member", olivia: "owner" });
  });

  it("refuses to demote or remove the last owner (409)", async () => {
    const demote = await put(olivia, "olivia", "member");
    expect(demote.status).toBe(409);
    expect(demote.headers.get("content-type")).toContain("application/problem+json");
    expect((await remove(olivia, "olivia")).status).toBe(409);
    expect((await remove(olivia, "OLIVIA")).status).toBe(409);
    expect((await roles()).olivia).toBe("owner");
  });

  it("changes roles; with a second owner the first may step down", async () => {
    expect((await put(olivia, "mia", "owner")).body).toMatchObject({ handle: "mia", role: "owner" });
    expect((await roles()).mia).toBe("owner");
    // Now an owner, mia may manage members too.
    expect((await put(mia, "olivia", "member")).status).toBe(200);
    expect(await roles()).toMatchObject({ mia: "owner", olivia: "member" });
    // mia is the last owner now.
    expect((await put(mia, "mia", "member")).status).toBe(409);
    expect((await put(mia, "olivia", "owner")).status).toBe(200);
    expect((await put(olivia, "mia", "member")).status).toBe(200);
    expect(await roles()).toEqual({ max: "member", mia: "member", olivia: "owner" });
  });

  it("lets members create projects under the organization, and nobody else", async () => {
    const byMember = await api(f.url, "POST", "/api/v1/projects", {
      token: max.token,
      json: { handle: "widgets", owner: "acme" },
    });
    expect(byMember.status).toBe(201);
    expect(byMember.body).toMatchObject({
      owner: "acme",
      owner_kind: "organization",
      full_name: "acme/widgets",
    });
    const byOwner = await api(f.url, "POST", "/api/v1/projects", {
      token: olivia.token,
      json: { handle: "gadgets", owner: "ACME", visibility: "private" },
    });
    expect(byOwner.status).toBe(201);
    expect(byOwner.body.full_name).toBe("acme/gadgets");
    const byOutsider = await api(f.url, "POST", "/api/v1/projects", {
      token: oscar.token,
      json: { handle: "intruder", owner: "acme" },
    });
    expect(byOutsider.status).toBe(403);
    // Nor under another user's account.
    const underUser = await api(f.url, "POST", "/api/v1/projects", {
      token: oscar.token,
      json: { handle: "intruder", owner: "mia" },
    });
    expect(underUser.status).toBe(403);
    const listed = await api(f.url, "GET", "/api/v1/projects?owner=acme", { token: olivia.token });
    expect(listed.body.map((p: { handle: string }) => p.handle).sort()).toEqual(["gadgets", "widgets"]);
  });

  it("lists the signed-in user's organizations with their role", async () => {
    const o = await api(f.url, "GET", "/api/v1/user/orgs", { token: olivia.token });
    expect(o.status).toBe(200);
    expect(o.body).toEqual([
      { organization: expect.objectContaining({ handle: "acme", kind: "organization" }), role: "owner" },
    ]);
    const m = await api(f.url, "GET", "/api/v1/user/orgs", { token: mia.token });
    expect(m.body).toEqual([{ organization: expect.objectContaining({ handle: "acme" }), role: "member" }]);
    expect((await api(f.url, "GET", "/api/v1/user/orgs", { token: oscar.token })).body).toEqual([]);
    expect((await api(f.url, "GET", "/api/v1/user/orgs")).status).toBe(401);
  });

  it("lets an owner remove a member", async () => {
    const r = await remove(olivia, "max");
    expect(r.status).toBe(204);
    expect(Object.keys(await roles())).not.toContain("max");
    expect((await api(f.url, "GET", "/api/v1/user/orgs", { token: max.token })).body).toEqual([]);
    // A removed member can no longer create projects there or see its private ones.
    const create = await api(f.url, "POST", "/api/v1/projects", {
      token: max.token,
      json: { handle: "after-removal", owner: "acme" },
    });
    expect(create.status).toBe(403);
    expect((await api(f.url, "GET", "/api/v1/projects/acme/gadgets", { token: max.token })).status).toBe(404);
    // Removing someone who is not a member is a 404.
    expect((await remove(olivia, "max")).status).toBe(404);
    expect((await remove(olivia, "oscar")).status).toBe(404);
  });

  it("lets a member leave by themself", async () => {
    const r = await remove(mia, "mia");
    expect(r.status).toBe(204);
    expect(await roles()).toEqual({ olivia: "owner" });
    expect((await api(f.url, "GET", "/api/v1/user/orgs", { token: mia.token })).body).toEqual([]);
    expect((await api(f.url, "GET", "/api/v1/orgs/acme")).body.members_count).toBe(1);
  });

  it("answers 404 for an organization that does not exist, and for a user's handle", async () => {
    expect((await api(f.url, "GET", "/api/v1/orgs/no-such-org")).status).toBe(404);
    expect((await api(f.url, "GET", "/api/v1/orgs/no-such-org/members")).status).toBe(404);
    expect(
      (
        await api(f.url, "PUT", "/api/v1/orgs/olivia/members/mia", {
          token: olivia.token,
          json: { role: "member" },
        })
      ).status,
    ).toBe(404);
  });
});
