// Content by object id on a real forge: a position resolved to its commit and tree, a tree's
// entries, a blob's bytes (ETag, immutable caching, Range), many objects in one framed answer,
// and private projects answered only to those who may read them.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { objectSignature } from "./object-urls.ts";

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64");
const blobId = (b: Buffer) =>
  createHash("sha1")
    .update(Buffer.concat([Buffer.from(`blob ${b.length}\0`), b]))
    .digest("hex");

describe("content API: trees and objects by id", () => {
  let f: TestForge;
  let owner = "";
  let stranger = "";
  const BIN = Buffer.from([0, 1, 2, 3, 250, 251, 252, 253, 254, 255]);
  const land = async (project: string, files: Record<string, Buffer | string>) => {
    const base = `/api/v1/projects/cy/${project}/sessions`;
    const s = await api(f.url, "POST", base, { token: owner, json: { goal: "add files" } });
    const changes = Object.entries(files).map(([path, c]) => ({ path, content: b64(c) }));
    expect(
      (await api(f.url, "PUT", `${base}/${s.body.id}/changes`, { token: owner, json: { changes } })).status,
    ).toBe(200);
    expect((await api(f.url, "POST", `${base}/${s.body.id}/land`, { token: owner })).status).toBe(200);
  };
  const raw = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(f.url + path, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  beforeAll(async () => {
    f = await startTestForge({ MICELIO_CDN_URL: "https://cdn.example.test/" });
    owner = (await userWithToken(f.url, "cy")).token;
    stranger = (await userWithToken(f.url, "eve")).token;
    for (const [handle, visibility] of [
      ["pub", "public"],
      ["vault", "private"],
      ["empty", "public"],
    ])
      await api(f.url, "POST", "/api/v1/projects", { token: owner, json: { handle, visibility } });
    await land("pub", { "README.md": "hello\n", "bin/data.bin": BIN });
    await land("pub", { "README.md": "hello again\n" });
    await land("vault", { "secret.txt": "s3cret\n" });
  });
  afterAll(() => f.close());

  it("resolves positions and refs to a commit and its root tree", async () => {
    const head = await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve");
    expect(head.status).toBe(200);
    expect(head.body).toMatchObject({ position: 2, head_position: 2 });
    expect(head.body.commit).toMatch(/^[0-9a-f]{40}$/);
    const first = await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve?at=1");
    expect(first.body.position).toBe(1);
    expect(first.body.tree).not.toBe(head.body.tree);
    const byCommit = await api(f.url, "GET", `/api/v1/projects/cy/pub/resolve?at=${first.body.commit}`);
    expect(byCommit.body.tree).toBe(first.body.tree);
    expect((await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve?at=9")).status).toBe(404);
    expect((await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve?at=nope")).status).toBe(404);
    expect((await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve?at=..%2Fx")).status).toBe(400);
    const empty = await api(f.url, "GET", "/api/v1/projects/cy/empty/resolve");
    expect(empty.body).toMatchObject({
      commit: null,
      tree: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
      position: 0,
      head_position: 0,
    });
  });

  it("lists a tree by id and serves blobs with immutable caching and ranges", async () => {
    const { tree } = (await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve?at=1")).body;
    const t = await api(f.url, "GET", `/api/v1/projects/cy/pub/trees/${tree}`);
    expect(t.status).toBe(200);
    expect(t.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(
      t.body.entries.map((e: { name: string; type: string; mode: string }) => [e.name, e.type, e.mode]),
    ).toEqual([
      ["README.md", "blob", "100644"],
      ["bin", "tree", "040000"],
    ]);
    const dir = t.body.entries[1];
    const sub = await api(f.url, "GET", `/api/v1/projects/cy/pub/trees/${dir.sha}`);
    // A tree's ETag is its id (the API's body-hash ETags leave a route's own alone), and it revalidates.
    expect(sub.headers.get("etag")).toBe(`"${dir.sha}"`);
    expect(sub.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const revalidated = await raw(`/api/v1/projects/cy/pub/trees/${dir.sha}`, undefined, {
      "if-none-match": `"${dir.sha}"`,
    });
    expect(revalidated.status).toBe(304);
    const bin = sub.body.entries[0];
    expect(bin).toEqual({
      name: "data.bin",
      mode: "100644",
      type: "blob",
      sha: blobId(BIN),
      size: BIN.length,
    });

    const r = await raw(`/api/v1/projects/cy/pub/objects/${bin.sha}`);
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer())).toEqual(BIN);
    expect(r.headers.get("etag")).toBe(`"${bin.sha}"`);
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const again = await raw(`/api/v1/projects/cy/pub/objects/${bin.sha}`, undefined, {
      "if-none-match": `"${bin.sha}"`,
    });
    expect(again.status).toBe(304);
    const part = await raw(`/api/v1/projects/cy/pub/objects/${bin.sha}`, undefined, { range: "bytes=2-5" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 2-5/${BIN.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(BIN.subarray(2, 6));
    const tail = await raw(`/api/v1/projects/cy/pub/objects/${bin.sha}`, undefined, { range: "bytes=-3" });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(BIN.subarray(-3));
    const past = await raw(`/api/v1/projects/cy/pub/objects/${bin.sha}`, undefined, { range: "bytes=99-" });
    expect(past.status).toBe(416);
    // A tree is not a blob; a short or unknown id is nothing.
    expect((await raw(`/api/v1/projects/cy/pub/objects/${tree}`)).status).toBe(404);
    expect((await raw("/api/v1/projects/cy/pub/objects/abc")).status).toBe(404);
    expect((await raw(`/api/v1/projects/cy/pub/objects/${"0".repeat(40)}`)).status).toBe(404);
    expect((await api(f.url, "GET", `/api/v1/projects/cy/pub/trees/${bin.sha}`)).status).toBe(404);
  });

  it("answers many ids in one framed batch, missing ones marked", async () => {
    const sha = blobId(BIN);
    const missing = "1".repeat(40);
    const r = await fetch(`${f.url}/api/v1/projects/cy/pub/objects/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids: [sha, missing, "zz"] }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-git-batch");
    const body = Buffer.from(await r.arrayBuffer());
    const expected = Buffer.concat([
      Buffer.from(`${sha} blob ${BIN.length}\n`),
      BIN,
      Buffer.from(`\n${missing} missing\nzz missing\n`),
    ]);
    expect(body).toEqual(expected);
    const tooMany = await api(f.url, "POST", "/api/v1/projects/cy/pub/objects/batch", {
      json: { ids: Array.from({ length: 513 }, () => sha) },
    });
    expect(tooMany.status).toBe(400);
  });

  it("keeps private projects private: 404 to others, `private` caching for readers", async () => {
    const head = await api(f.url, "GET", "/api/v1/projects/cy/vault/resolve", { token: owner });
    expect(head.status).toBe(200);
    const t = await api(f.url, "GET", `/api/v1/projects/cy/vault/trees/${head.body.tree}`, { token: owner });
    expect(t.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const sha = t.body.entries[0].sha;
    const mine = await raw(`/api/v1/projects/cy/vault/objects/${sha}`, owner);
    expect(await mine.text()).toBe("s3cret\n");
    expect(mine.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    for (const token of [undefined, stranger]) {
      expect((await api(f.url, "GET", "/api/v1/projects/cy/vault/resolve", { token })).status).toBe(404);
      expect(
        (await api(f.url, "GET", `/api/v1/projects/cy/vault/trees/${head.body.tree}`, { token })).status,
      ).toBe(404);
      expect((await raw(`/api/v1/projects/cy/vault/objects/${sha}`, token)).status).toBe(404);
      const batch = await api(f.url, "POST", "/api/v1/projects/cy/vault/objects/batch", {
        token,
        json: { ids: [sha] },
      });
      expect(batch.status).toBe(404);
    }
    // The public project's repository has no such object: ids are answered per project.
    expect((await raw(`/api/v1/projects/cy/pub/objects/${sha}`)).status).toBe(404);
  });

  it("names the object URL on the CDN; a private project's is signed, short-lived and needs no token", async () => {
    const pub = await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve");
    expect(pub.body.objects_url).toBe("https://cdn.example.test/api/v1/projects/cy/pub/objects/{sha}");
    expect(pub.body.objects_url_expires_at).toBeNull();
    const sha = blobId(BIN);
    // The CDN forwards the same path to the forge.
    const viaOrigin = await raw(new URL(pub.body.objects_url.replace("{sha}", sha)).pathname);
    expect(Buffer.from(await viaOrigin.arrayBuffer())).toEqual(BIN);

    const vault = await api(f.url, "GET", "/api/v1/projects/cy/vault/resolve", { token: owner });
    expect(vault.headers.get("cache-control")).toBe("private, no-store");
    const url = new URL(String(vault.body.objects_url).replace("{sha}", blobId(Buffer.from("s3cret\n"))));
    expect(url.origin).toBe("https://cdn.example.test");
    expect(url.searchParams.get("sig")).toMatch(/^[0-9a-f]{64}$/);
    const left = (Date.parse(vault.body.objects_url_expires_at) - Date.now()) / 1000;
    expect(left).toBeGreaterThan(500);
    expect(left).toBeLessThanOrEqual(600);
    const path = url.pathname + url.search;
    const signed = await raw(path); // no credentials at all
    expect(signed.status).toBe(200);
    expect(await signed.text()).toBe("s3cret\n");
    expect(signed.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    // Without the signature, a stranger and nobody still get nothing.
    expect((await raw(url.pathname)).status).toBe(404);
    expect((await raw(url.pathname, stranger)).status).toBe(404);
    // An altered signature, an expired one (signed with the right key), and another project's: 404.
    const sig = url.searchParams.get("sig")!;
    const altered = `${sig.slice(0, 10)}${sig[10] === "0" ? "1" : "0"}${sig.slice(11)}`;
    expect((await raw(path.replace(sig, altered))).status).toBe(404);
    const project = await f.forge.db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", "vault")
      .executeTakeFirstOrThrow();
    const past = Math.floor(Date.now() / 1000) - 5;
    const old = `${url.pathname}?expires=${past}&sig=${objectSignature(f.forge, project.id, past)}`;
    expect((await raw(old)).status).toBe(404);
    const pubPath = new URL(pub.body.objects_url.replace("{sha}", sha)).pathname;
    // A signature is checked wherever it is sent: another project's is refused, even on a public one.
    expect((await raw(`${pubPath}${url.search}`)).status).toBe(404);
    const elsewhere = url.pathname.replace("/cy/vault/", "/cy/empty/") + url.search;
    expect((await raw(elsewhere)).status).toBe(404);
  });
});
