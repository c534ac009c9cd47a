// Deltas and compression in the content API on a real forge: a batch id with a base the
// client has comes back as git's delta from it (which applies to the right bytes), a base
// the project does not have (another project's private blob) is ignored, and tree listings
// and batch answers are compressed as Accept-Encoding allows.
import { createHash } from "node:crypto";
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { applyDelta } from "@micelio/core/delta/git-delta";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

const b64 = (b: string) => Buffer.from(b).toString("base64");
const blobId = (b: Buffer | string) =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(b)}\0`)
    .update(b)
    .digest("hex");
const text = (n: number, edit = "") =>
  Array.from(
    { length: n },
    (_, i) => `line ${i} of a file that changes a little${i === 100 ? edit : ""}\n`,
  ).join("");
const OLD = text(300);
const NEW = text(300, " (edited)");
const SECRET = text(300, " (the vault's copy)");

describe("content API: deltas and compression", () => {
  let f: TestForge;
  let owner = "";
  const land = async (project: string, files: Record<string, string>) => {
    const base = `/api/v1/projects/cy/${project}/sessions`;
    const s = await api(f.url, "POST", base, { token: owner, json: { goal: "files" } });
    const changes = Object.entries(files).map(([path, c]) => ({ path, content: b64(c) }));
    expect(
      (await api(f.url, "PUT", `${base}/${s.body.id}/changes`, { token: owner, json: { changes } })).status,
    ).toBe(200);
    expect((await api(f.url, "POST", `${base}/${s.body.id}/land`, { token: owner })).status).toBe(200);
  };
  /** POST …/objects/batch over node:http (fetch would ask for and undo compression itself). */
  const batch = (project: string, body: unknown, headers: Record<string, string> = {}, token = owner) =>
    new Promise<{ status: number; encoding: string | null; body: Buffer }>((resolve, reject) => {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const req = request(
        `${f.url}/api/v1/projects/cy/${project}/objects/batch`,
        { method: "POST", headers: { "content-type": "application/json", ...auth, ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              encoding: (res.headers["content-encoding"] as string | undefined) ?? null,
              body: Buffer.concat(chunks),
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });

  beforeAll(async () => {
    f = await startTestForge();
    owner = (await userWithToken(f.url, "cy")).token;
    for (const [handle, visibility] of [
      ["pub", "public"],
      ["vault", "private"],
    ])
      await api(f.url, "POST", "/api/v1/projects", { token: owner, json: { handle, visibility } });
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`many/file-${i}.txt`, `${i}\n`]));
    await land("pub", { "doc.txt": OLD, ...many });
    await land("pub", { "doc.txt": NEW });
    await land("vault", { "doc.txt": SECRET });
  });
  afterAll(() => f.close());

  it("sends a delta from a base the client has, when it is smaller; whole blobs otherwise", async () => {
    const [want, have] = [blobId(NEW), blobId(OLD)];
    const r = await batch("pub", { ids: [want], bases: { [want]: have } });
    expect(r.status).toBe(200);
    const nl = r.body.indexOf(10);
    const [sha, kind, size, base] = r.body.toString("latin1", 0, nl).split(" ");
    expect([sha, kind, base]).toEqual([want, "delta", have]);
    const delta = r.body.subarray(nl + 1, nl + 1 + Number(size));
    expect(delta.length).toBeLessThan(100);
    expect(r.body.length).toBe(nl + 1 + Number(size) + 1);
    expect(Buffer.from(applyDelta(Buffer.from(OLD), delta)).toString()).toBe(NEW);
    // No base, a base the project lacks, a malformed one, or the blob itself as no help: whole.
    for (const bases of [undefined, { [want]: "2".repeat(40) }, { [want]: "nope" }, { [want]: want }]) {
      const whole = await batch("pub", { ids: [want], ...(bases ? { bases } : {}) });
      if (bases?.[want] === want) {
        // A blob from itself is a tiny delta: still a correct one.
        expect(whole.body.toString("latin1", 0, 60)).toContain(" delta ");
        continue;
      }
      expect(whole.body).toEqual(Buffer.concat([Buffer.from(`${want} blob ${NEW.length}\n${NEW}\n`)]));
    }
    const tooMany = Object.fromEntries(Array.from({ length: 513 }, (_, i) => [String(i), have]));
    expect((await batch("pub", { ids: [want], bases: tooMany })).status).toBe(400);
  });

  it("lists a tree as a delta from an earlier listing of the same directory", async () => {
    const at = async (n: number) =>
      (await api(f.url, "GET", `/api/v1/projects/cy/pub/resolve?at=${n}`)).body.tree;
    const [was, now] = [await at(1), await at(2)];
    const list = async (t: string) =>
      (await api(f.url, "GET", `/api/v1/projects/cy/pub/trees/${t}`)).body.entries;
    const r = await fetch(`${f.url}/api/v1/projects/cy/pub/trees/${now}?base=${was}`);
    expect(r.headers.get("content-type")).toBe("application/x-git-delta");
    expect(r.headers.get("x-delta-base")).toBe(was);
    const delta = Buffer.from(await r.arrayBuffer());
    const from = Buffer.from(JSON.stringify(await list(was)));
    expect(Buffer.from(applyDelta(from, delta)).toString()).toBe(JSON.stringify(await list(now)));
    // Another project's tree (the vault's root) as a base: the whole listing.
    const vault = (await api(f.url, "GET", "/api/v1/projects/cy/vault/resolve", { token: owner })).body.tree;
    for (const base of [vault, "3".repeat(40), "x"]) {
      const whole = await fetch(`${f.url}/api/v1/projects/cy/pub/trees/${now}?base=${base}`, {
        headers: { authorization: `Bearer ${owner}` },
      });
      expect(whole.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await whole.json()) as { entries: unknown }).entries).toEqual(await list(now));
    }
  });

  it("never reads a base from another project: a private blob's id is ignored", async () => {
    const want = blobId(NEW);
    const secret = blobId(SECRET);
    // The vault's owner knows both ids; the public project still cannot use the private blob.
    for (const token of [owner, ""]) {
      const r = await batch("pub", { ids: [want], bases: { [want]: secret } }, {}, token);
      expect(r.body.toString("latin1", 0, r.body.indexOf(10))).toBe(`${want} blob ${NEW.length}`);
      expect(r.body.includes("vault's copy")).toBe(false);
    }
    // And a stranger asking the vault itself gets nothing at all.
    const eve = (await userWithToken(f.url, "eve")).token;
    expect((await batch("vault", { ids: [secret], bases: { [secret]: want } }, {}, eve)).status).toBe(404);
  });

  it("compresses tree listings and batch answers as Accept-Encoding allows", async () => {
    const { tree } = (await api(f.url, "GET", "/api/v1/projects/cy/pub/resolve")).body;
    const sub = (await api(f.url, "GET", `/api/v1/projects/cy/pub/trees/${tree}`)).body;
    const ids = [blobId(NEW), blobId(OLD)];
    const plain = await batch("pub", { ids });
    expect(plain.encoding).toBeNull();
    for (const [accept, enc, decode] of [
      ["gzip", "gzip", gunzipSync],
      ["br;q=1, gzip;q=0.5", "br", brotliDecompressSync],
      ["gzip, br;q=0", "gzip", gunzipSync],
    ] as const) {
      const r = await batch("pub", { ids }, { "accept-encoding": accept });
      expect(r.encoding).toBe(enc);
      expect(r.body.length).toBeLessThan(plain.body.length / 5);
      expect(decode(r.body)).toEqual(plain.body);
    }
    expect((await batch("pub", { ids }, { "accept-encoding": "identity" })).encoding).toBeNull();
    // A tree listing: compressed past 512 bytes; the ETag names the encoding, and revalidates.
    const many = sub.entries.find((e: { name: string }) => e.name === "many").sha;
    const listing = (await api(f.url, "GET", `/api/v1/projects/cy/pub/trees/${many}`)).body;
    expect(listing.entries).toHaveLength(30);
    const url = `${f.url}/api/v1/projects/cy/pub/trees/${many}`;
    const t = await fetch(url, { headers: { "accept-encoding": "gzip" } });
    expect(t.headers.get("content-encoding")).toBe("gzip");
    expect(t.headers.get("etag")).toBe(`"${many}.gzip"`);
    expect(t.headers.get("vary")).toBe("Accept-Encoding");
    expect(await t.json()).toEqual(listing); // fetch decodes it
    const small = await fetch(`${f.url}/api/v1/projects/cy/pub/trees/${tree}`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(small.headers.get("content-encoding")).toBeNull();
    const again = await fetch(url, {
      headers: { "accept-encoding": "gzip", "if-none-match": `"${many}.gzip"` },
    });
    expect(again.status).toBe(304);
  });
});
