// A session's uploaded artifacts: raw bytes in, an artifact event out, read back by content
// with the session's access (a private project's artifact is hidden from anonymous and other
// users, readable by member, owner and administrator), an image shown inline on the session
// page and everything else served as an attachment, and bad uploads refused with nothing kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

describe("session artifacts", () => {
  let f: TestForge;
  const tok: Record<string, string> = {};

  const upload = (token: string, path: string, body: Buffer | string, type: string, name = "shot.png") =>
    fetch(`${f.url}/api/v1/projects/${path}/artifacts?name=${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": type },
      body,
    });
  const read = (path: string, token?: string) =>
    fetch(`${f.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const events = async (path: string, token: string) =>
    (await api(f.url, "GET", `/api/v1/projects/${path}/events`, { token })).body as {
      kind: string;
    }[];

  beforeAll(async () => {
    f = await startTestForge();
    // ada, the first account, administers the instance (with a token that carries `admin`).
    tok.ada = (await userWithToken(f.url, "ada", ["project:read", "admin"])).token;
    for (const who of ["olive", "mia", "otto"]) tok[who] = (await userWithToken(f.url, who)).token;
    expect(
      (await api(f.url, "POST", "/api/v1/orgs", { token: tok.olive, json: { handle: "acme" } })).status,
    ).toBe(201);
    const member = await api(f.url, "PUT", "/api/v1/orgs/acme/members/mia", {
      token: tok.olive,
      json: { role: "member" },
    });
    expect(member.status).toBe(200);
    const create = (json: unknown) => api(f.url, "POST", "/api/v1/projects", { token: tok.olive, json });
    expect((await create({ handle: "secret", owner: "acme", visibility: "private" })).status).toBe(201);
    expect((await create({ handle: "open" })).status).toBe(201);
  });
  afterAll(async () => {
    await f.close();
  });

  it("keeps an image of a private session for those who may read it, and no one else", async () => {
    const s = await api(f.url, "POST", "/api/v1/projects/acme/secret/sessions", {
      token: tok.mia,
      json: { goal: "Screenshot the page" },
    });
    expect(s.status).toBe(201);
    const path = `acme/secret/sessions/${s.body.id}`;
    const res = await upload(tok.mia, path, PNG, "image/png");
    expect(res.status).toBe(201);
    const art = (await res.json()) as { sha256: string; url: string; size: number; content_type: string };
    expect(art).toMatchObject({ size: PNG.length, content_type: "image/png", stored: true });
    expect(art.url).toBe(`/acme/secret/sessions/${s.body.id}/artifacts/${art.sha256}`);
    expect((await events(path, tok.mia)).at(-1)).toMatchObject({ kind: "artifact", sha256: art.sha256 });

    const apiPath = `/api/v1/projects/${path}/artifacts/${art.sha256}`;
    for (const who of ["mia", "olive", "ada"]) {
      const r = await read(apiPath, tok[who]);
      expect(r.status, who).toBe(200);
      expect(r.headers.get("content-type")).toBe("image/png");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(Buffer.from(await r.arrayBuffer()).equals(PNG)).toBe(true);
    }
    expect((await read(apiPath)).status).toBe(404);
    expect((await read(apiPath, tok.otto)).status).toBe(404);
    expect((await read(art.url)).status).toBe(404); // the page route, anonymous
    // Another user cannot upload to it either, and sees nothing of it.
    expect((await upload(tok.otto, path, PNG, "image/png")).status).toBe(404);
  });

  it("shows an image inline on the session page, serves other files as attachments", async () => {
    const s = await api(f.url, "POST", "/api/v1/projects/olive/open/sessions", {
      token: tok.olive,
      json: { goal: "Report" },
    });
    const path = `olive/open/sessions/${s.body.id}`;
    const img = (await (await upload(tok.olive, path, PNG, "image/png", "before.png")).json()) as {
      url: string;
    };
    const html = await upload(tok.olive, path, "<script>alert(1)</script>", "text/html", "report.html");
    expect(html.status).toBe(201);
    const report = (await html.json()) as { url: string };

    const page = await (await read(`/olive/open/sessions/${s.body.id}`)).text();
    expect(page).toContain(`<img src="${img.url}" alt="before.png"`);
    expect(page).toContain(`href="${report.url}"`);
    expect(page).not.toContain(`<img src="${report.url}"`);

    const served = await read(report.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("application/octet-stream");
    expect(served.headers.get("content-disposition")).toMatch(/^attachment; filename\*=UTF-8''report\.html$/);
    expect(served.headers.get("content-security-policy")).toContain("sandbox");
    const image = await read(img.url);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("content-disposition")).toMatch(/^inline/);
    // A hash that is not one of this session's artifacts is not found, even if stored elsewhere.
    expect((await read(`/olive/open/sessions/${s.body.id}/artifacts/${"0".repeat(64)}`)).status).toBe(404);
  });

  it("refuses JSON, empty, nameless and oversized uploads and keeps nothing", async () => {
    const s = await api(f.url, "POST", "/api/v1/projects/olive/open/sessions", {
      token: tok.olive,
      json: { goal: "Bad uploads" },
    });
    const path = `olive/open/sessions/${s.body.id}`;
    const json = await upload(tok.olive, path, "{}", "application/json");
    expect(json.status).toBe(400);
    expect((await upload(tok.olive, path, "", "image/png")).status).toBe(400);
    expect((await upload(tok.olive, path, PNG, "image/png", "a/b.png")).status).toBe(400);
    const big = await upload(tok.olive, path, Buffer.alloc(8 * 1024 * 1024 + 1), "application/octet-stream");
    expect(big.status).toBe(413);
    expect(((await big.json()) as { type: string }).type).toMatch(/\/problems\/too-large$/);
    expect((await events(path, tok.olive)).filter((e) => e.kind === "artifact")).toEqual([]);
    // A closed session takes no more artifacts.
    expect((await api(f.url, "POST", `/api/v1/projects/${path}/abandon`, { token: tok.olive })).status).toBe(
      200,
    );
    expect((await upload(tok.olive, path, PNG, "image/png")).status).toBe(409);
  });
});
