// Blobs served under a file name on a real forge (which stands in for the CDN's origin: a
// CDN URL is the same path on another host): types derived safely from the name and bytes,
// never HTML; nosniff and a sandboxing CSP; a public project's files immutable and embeddable
// from another origin; a private project's only to readers or through a signature over that
// project, id and name that has not expired — tampered, expired or moved signatures are 404s.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { fileSignature } from "./file-urls.ts";
import { objectSignature, SIGNED_URL_SECONDS } from "./object-urls.ts";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
const HTML = "<!doctype html><script>alert('x')</script>\n";
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n';
const BIN = Buffer.from([0, 1, 2, 3, 250, 0, 7]);
const idOf = (b: Buffer | string) =>
  createHash("sha1")
    .update(Buffer.concat([Buffer.from(`blob ${Buffer.byteLength(b)}\0`), Buffer.from(b)]))
    .digest("hex");

describe("objects by id under a file name", () => {
  let f: TestForge;
  let owner = "";
  let stranger = "";
  let vaultId = "";
  const land = async (project: string, files: Record<string, Buffer | string>) => {
    const base = `/api/v1/projects/cy/${project}/sessions`;
    const s = await api(f.url, "POST", base, { token: owner, json: { goal: "add files" } });
    const changes = Object.entries(files).map(([path, c]) => ({
      path,
      content: Buffer.from(c).toString("base64"),
    }));
    await api(f.url, "PUT", `${base}/${s.body.id}/changes`, { token: owner, json: { changes } });
    expect((await api(f.url, "POST", `${base}/${s.body.id}/land`, { token: owner })).status).toBe(200);
  };
  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(f.url + path, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const at = (project: string, sha: string, name: string) =>
    `/api/v1/projects/cy/${project}/objects/${sha}/${name}`;

  beforeAll(async () => {
    f = await startTestForge({ MICELIO_CDN_URL: "https://cdn.example.test" });
    owner = (await userWithToken(f.url, "cy")).token;
    stranger = (await userWithToken(f.url, "eve")).token;
    for (const [handle, visibility] of [
      ["pub", "public"],
      ["vault", "private"],
    ])
      await api(f.url, "POST", "/api/v1/projects", { token: owner, json: { handle, visibility } });
    await land("pub", { "pic.png": PNG, "page.html": HTML, "logo.svg": SVG, "data.bin": BIN });
    await land("vault", { "secret.png": PNG, "notes.txt": "s3cret\n" });
    vaultId = (
      await f.forge.db
        .selectFrom("projects")
        .select("id")
        .where("handle", "=", "vault")
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(() => f.close());

  it("serves images inline, text as plain text and the rest as attachments, never HTML", async () => {
    const png = await get(at("pub", idOf(PNG), "pic.png"));
    expect(png.status).toBe(200);
    expect(Buffer.from(await png.arrayBuffer())).toEqual(PNG);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("content-disposition")).toBe(
      `inline; filename="pic.png"; filename*=UTF-8''pic.png`,
    );
    expect(png.headers.get("x-content-type-options")).toBe("nosniff");
    expect(png.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    expect(png.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(png.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(png.headers.get("etag")).toBe(`"${idOf(PNG)}"`);
    const again = await get(at("pub", idOf(PNG), "pic.png"), undefined, {
      "if-none-match": `"${idOf(PNG)}"`,
    });
    expect(again.status).toBe(304);

    // An HTML file (text) is plain text under any name; under an image name it is still text.
    for (const name of ["page.html", "x.htm", "x.xhtml", "x.xml", "x.png", "x.txt"]) {
      const r = await get(at("pub", idOf(HTML), name));
      expect(r.headers.get("content-type"), name).toBe("text/plain; charset=utf-8");
      expect(await r.text()).toBe(HTML);
    }
    // SVG: an image only as an attachment (an <img> shows it, a navigation downloads it).
    const svg = await get(at("pub", idOf(SVG), "logo.svg"));
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("content-disposition")).toMatch(/^attachment; filename="logo\.svg"/);
    // Binary bytes: an attachment, whatever the name says (an "html" one too).
    for (const name of ["data.bin", "a.html", "a.svg.exe"]) {
      const r = await get(at("pub", idOf(BIN), name));
      expect(r.headers.get("content-type"), name).toBe("application/octet-stream");
      expect(r.headers.get("content-disposition"), name).toMatch(/^attachment; /);
    }
    // A name's odd characters are kept out of the header.
    const odd = await get(at("pub", idOf(BIN), encodeURIComponent('é "q".bin')));
    expect(odd.headers.get("content-disposition")).toBe(
      `attachment; filename="_ _q_.bin"; filename*=UTF-8''%C3%A9%20%22q%22.bin`,
    );
    const part = await get(at("pub", idOf(BIN), "data.bin"), undefined, { range: "bytes=1-3" });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(BIN.subarray(1, 4));
  });

  it("answers only blobs of the project's own repository", async () => {
    const tree = (await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve")).body.tree;
    const missing = async (path: string, status = 404) => {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect(r.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
    };
    await missing(at("pub", tree, "tree.txt"));
    await missing(at("pub", "0".repeat(40), "x.png"));
    await missing(at("pub", "abc", "x.png"));
    await missing(at("pub", idOf("s3cret\n"), "notes.txt")); // the private project's blob
    await missing(at("pub", idOf(PNG), "x".repeat(256)), 400);
  });

  it("keeps a private project's files to readers, or to a signature for that file until it expires", async () => {
    const sha = idOf(PNG);
    const path = at("vault", sha, "secret.png");
    for (const token of [undefined, stranger]) expect((await get(path, token)).status).toBe(404);
    const mine = await get(path, owner);
    expect(Buffer.from(await mine.arrayBuffer())).toEqual(PNG);
    expect(mine.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(mine.headers.get("cross-origin-resource-policy")).toBe("same-origin");

    const expires = Math.floor(Date.now() / 1000) + SIGNED_URL_SECONDS - 30;
    const sign = (s: string, name: string, exp = expires, project = vaultId) =>
      `?expires=${exp}&sig=${fileSignature(f.forge, project, s, name, exp)}`;
    const signed = await get(path + sign(sha, "secret.png")); // no credentials at all
    expect(signed.status).toBe(200);
    expect(Buffer.from(await signed.arrayBuffer())).toEqual(PNG);
    expect(signed.headers.get("content-type")).toBe("image/png");
    expect(signed.headers.get("cache-control")).toMatch(/^private, max-age=5\d\d$/);
    expect(signed.headers.get("cross-origin-resource-policy")).toBe("cross-origin");

    const good = sign(sha, "secret.png");
    const sig = new URLSearchParams(good).get("sig")!;
    const refused = [
      path + good.replace(sig, `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`), // tampered
      path + sign(sha, "secret.png", Math.floor(Date.now() / 1000) - 5), // expired
      path + sign(sha, "secret.png", Math.floor(Date.now() / 1000) + 3600), // too far ahead
      at("vault", sha, "secret.svg") + good, // another name
      at("vault", idOf("s3cret\n"), "secret.png") + good, // another file
      at("pub", idOf(PNG), "secret.png") + sign(sha, "secret.png", expires, "x"), // another project's
      `${path}?expires=${expires}&sig=${objectSignature(f.forge, vaultId, expires)}`, // objects_url's
      `/api/v1/projects/cy/vault/objects/${sha}${good}`, // a file's signature opens no other object route
      `${path}?expires=${expires}`,
      `${path}?sig=${sig}`,
    ];
    for (const url of refused) {
      const r = await get(url, url.endsWith(`?sig=${sig}`) ? stranger : undefined);
      expect(r.status, url).toBe(404);
      expect(r.headers.get("content-type"), url).toMatch(/^application\/problem\+json/);
    }
  });
});
