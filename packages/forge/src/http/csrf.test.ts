// CSRF protection end to end: web forms need the session's own token and a same-site
// origin, web routes take only form bodies, and the JSON API with a cookie session refuses
// cross-site requests. Every refusal must leave the data untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("CSRF protection", () => {
  let f: TestForge;
  let carol: Awaited<ReturnType<typeof userWithToken>>;
  let dave: Awaited<ReturnType<typeof userWithToken>>;
  let carolB: Browser;
  let daveB: Browser;

  const project = async () =>
    (await api(f.url, "GET", "/api/v1/projects/carol/plans", { token: carol.token })).body as {
      name: string;
      description: string;
      visibility: string;
    };
  const tokenCount = async (userId: string) =>
    Number(
      (
        await f.forge.db
          .selectFrom("api_tokens")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("user_id", "=", userId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const tokenOf = async (b: Browser, page = "/settings/tokens") => csrfOf((await b.get(page)).html);

  /** Posts a body as a browser would, with the browser's cookies and any extra headers. */
  const post = (
    b: Browser | null,
    path: string,
    body: string | URLSearchParams,
    headers: Record<string, string> = {},
  ) =>
    fetch(f.url + path, {
      method: "POST",
      redirect: "manual",
      headers: {
        ...(b ? { cookie: b.cookieHeader } : {}),
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body,
    });
  const settings = (description: string, csrf?: string) =>
    new URLSearchParams({
      ...(csrf === undefined ? {} : { _csrf: csrf }),
      name: "plans",
      description,
      visibility: "public",
    });

  beforeAll(async () => {
    f = await startTestForge();
    await userWithToken(f.url, "ada"); // the first account is the administrator; keep it out of the way
    carol = await userWithToken(f.url, "carol");
    dave = await userWithToken(f.url, "dave");
    const created = await api(f.url, "POST", "/api/v1/projects", {
      token: carol.token,
      json: { handle: "plans", description: "original", visibility: "public" },
    });
    expect(created.status).toBe(201);
    carolB = new Browser(f.url);
    daveB = new Browser(f.url);
    await carolB.get("/login"); // keeps the pre-sign-in CSRF cookie too
    expect(
      (await carolB.submit("/login", "/login", { login: "carol", password: carol.password })).status,
    ).toBe(303);
    expect((await daveB.submit("/login", "/login", { login: "dave", password: dave.password })).status).toBe(
      303,
    );
  });
  afterAll(() => f.close());

  it("accepts a form with the session's own token (control)", async () => {
    const r = await carolB.submit("/carol/plans/settings", "/carol/plans/settings", {
      name: "plans",
      description: "v1",
      visibility: "public",
    });
    expect(r.status).toBe(303);
    expect((await project()).description).toBe("v1");
  });

  it("refuses a form without _csrf, with a wrong one, or with another user's token, and changes nothing", async () => {
    const carolToken = await tokenOf(carolB);
    const daveToken = await tokenOf(daveB);
    const anonCookieToken = carolB.cookieHeader
      .split("; ")
      .find((c) => c.startsWith("mc_csrf="))
      ?.slice("mc_csrf=".length);
    expect(carolToken).not.toBe(daveToken);
    const attempts: Array<[string, string | undefined]> = [
      ["missing", undefined],
      ["empty", ""],
      ["wrong", "x".repeat(carolToken.length)],
      ["another user's", daveToken],
      ["pre-sign-in cookie's", anonCookieToken],
    ];
    for (const [label, csrf] of attempts) {
      if (label === "pre-sign-in cookie's" && !csrf) continue;
      const r = await post(carolB, "/carol/plans/settings", settings(`hacked (${label})`, csrf));
      expect(r.status, label).toBe(403);
      expect(await r.text()).toContain("The form has expired or was not sent from this site");
    }
    // The same with the victim's token but the attacker's cookie.
    const swapped = await post(daveB, "/carol/plans/settings", settings("hacked (swapped)", carolToken));
    expect(swapped.status).toBe(403);
    expect(await project()).toMatchObject({ description: "v1", visibility: "public" });
  });

  it("refuses token creation and revocation without a valid token, and creates or revokes nothing", async () => {
    const before = await tokenCount(carol.user.id);
    const create = await post(
      carolB,
      "/settings/tokens",
      new URLSearchParams({ name: "evil", scopes: "project:write" }),
    );
    expect(create.status).toBe(403);
    expect(await create.text()).not.toMatch(/mic_[A-Za-z0-9_-]{10,}/);
    const wrong = await post(
      carolB,
      "/settings/tokens",
      new URLSearchParams({ _csrf: await tokenOf(daveB), name: "evil", scopes: "project:write" }),
    );
    expect(wrong.status).toBe(403);
    expect(await tokenCount(carol.user.id)).toBe(before);

    const [existing] = (await api(f.url, "GET", "/api/v1/tokens", { basic: ["carol", carol.password] })).body;
    const revoke = await post(carolB, `/settings/tokens/${existing.id}/delete`, new URLSearchParams({}));
    expect(revoke.status).toBe(403);
    expect((await api(f.url, "GET", "/api/v1/user", { token: carol.token })).status).toBe(200);
  });

  it("refuses project deletion without a valid token", async () => {
    const r = await post(
      carolB,
      "/carol/plans/settings/delete",
      new URLSearchParams({ confirm: "carol/plans" }),
    );
    expect(r.status).toBe(403);
    expect((await api(f.url, "GET", "/api/v1/projects/carol/plans", { token: carol.token })).status).toBe(
      200,
    );
  });

  it("refuses a form from another site even with the right token", async () => {
    const token = await tokenOf(carolB);
    const crossSite: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "http://evil.example" },
      { origin: `http://localhost:${new URL(f.url).port}` },
    ];
    for (const headers of crossSite) {
      const r = await post(carolB, "/carol/plans/settings", settings("hacked (cross-site)", token), headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    expect((await project()).description).toBe("v1");
    // Log-in CSRF: the anonymous form is held to the same rule.
    const anon = new Browser(f.url);
    const anonToken = csrfOf((await anon.get("/login")).html);
    const login = await post(
      anon,
      "/login",
      new URLSearchParams({ _csrf: anonToken, login: "carol", password: carol.password }),
      { "sec-fetch-site": "cross-site" },
    );
    expect(login.status).toBe(403);
    expect(login.headers.getSetCookie().some((c) => c.startsWith("mc_session="))).toBe(false);
  });

  it("accepts a same-origin form that says so (Sec-Fetch-Site: same-origin, or its own Origin)", async () => {
    const token = await tokenOf(carolB);
    const a = await post(carolB, "/carol/plans/settings", settings("v2", token), {
      "sec-fetch-site": "same-origin",
    });
    expect(a.status).toBe(303);
    const b = await post(carolB, "/carol/plans/settings", settings("v3", token), {
      origin: new URL(f.url).origin,
    });
    expect(b.status).toBe(303);
    expect((await project()).description).toBe("v3");
  });

  it("refuses a web route given a JSON or text/plain body (415)", async () => {
    const token = await tokenOf(carolB);
    const bodies: Array<[string, string]> = [
      [
        "application/json",
        JSON.stringify({ _csrf: token, name: "plans", description: "json", visibility: "public" }),
      ],
      ["text/plain", settings("text", token).toString()],
      ["text/plain;charset=UTF-8", settings("text", token).toString()],
    ];
    for (const [type, body] of bodies) {
      const r = await post(carolB, "/carol/plans/settings", body, { "content-type": type });
      expect(r.status, type).toBe(415);
    }
    expect((await project()).description).toBe("v3");
  });

  it("lets the JSON API with a cookie session work for same-origin JSON", async () => {
    const patch = (headers: Record<string, string>, description: string) =>
      fetch(`${f.url}/api/v1/projects/carol/plans`, {
        method: "PATCH",
        headers: { cookie: carolB.cookieHeader, "content-type": "application/json", ...headers },
        body: JSON.stringify({ description }),
      });
    expect((await patch({}, "api-1")).status).toBe(200);
    expect((await patch({ "sec-fetch-site": "same-origin" }, "api-2")).status).toBe(200);
    expect((await patch({ origin: new URL(f.url).origin }, "api-3")).status).toBe(200);
    expect((await project()).description).toBe("api-3");
  });

  it("refuses the JSON API with a cookie session from another site, and form or text bodies", async () => {
    const before = await tokenCount(carol.user.id);
    const send = (method: string, path: string, headers: Record<string, string>, body: string) =>
      fetch(f.url + path, {
        method,
        headers: { cookie: carolB.cookieHeader, "content-type": "application/json", ...headers },
        body,
      });
    const foreign: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { origin: "http://evil.example" },
    ];
    for (const headers of foreign) {
      const r = await send(
        "PATCH",
        "/api/v1/projects/carol/plans",
        headers,
        JSON.stringify({ description: "hacked" }),
      );
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      const t = await send(
        "POST",
        "/api/v1/tokens",
        headers,
        JSON.stringify({ name: "evil", scopes: ["project:write"] }),
      );
      expect(t.status).toBe(403);
    }
    for (const type of [
      "application/x-www-form-urlencoded",
      "text/plain",
      "multipart/form-data; boundary=x",
    ]) {
      const r = await send(
        "PATCH",
        "/api/v1/projects/carol/plans",
        { "content-type": type },
        "description=hacked",
      );
      expect(r.status, type).toBe(415);
    }
    expect((await project()).description).toBe("api-3");
    expect(await tokenCount(carol.user.id)).toBe(before);
  });

  it("does not apply the cross-site rule to bearer tokens (they are never sent by a browser on its own)", async () => {
    const r = await api(f.url, "PATCH", "/api/v1/projects/carol/plans", {
      token: carol.token,
      json: { description: "by-token" },
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(r.status).toBe(200);
  });

  it("refuses a cross-site form POST authenticated only by HTTP Basic credentials", async () => {
    const basic = { authorization: `Basic ${Buffer.from(`carol:${carol.password}`).toString("base64")}` };
    const before = await project();
    const tokensBefore = await tokenCount(carol.user.id);
    const change = await post(null, "/carol/plans/settings", settings("hacked (basic)"), {
      ...basic,
      "sec-fetch-site": "cross-site",
    });
    expect(change.status).toBe(403);
    const noToken = await post(null, "/carol/plans/settings", settings("hacked (basic, no token)"), basic);
    expect(noToken.status).toBe(403);
    const mint = await post(
      null,
      "/settings/tokens",
      new URLSearchParams({ name: "evil", scopes: "project:write" }),
      basic,
    );
    expect(mint.status).toBe(403);
    expect((await project()).description).toBe(before.description);
    expect(await tokenCount(carol.user.id)).toBe(tokensBefore);
  });
});
