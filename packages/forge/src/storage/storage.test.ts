// Per-account storage end to end, against a real S3 server on loopback (s3rver, opened to the
// forge by MICELIO_OUTBOUND_ALLOW): a user sets a MinIO-style bucket (checked first), their
// project's OG picture is stored in it (read back from the bucket directly), the bucket is
// removed, pictures fall back to the instance store and the user sees why (settings page, API,
// project page); GET never shows the secret; an org's storage is its owners'; every change is
// audited; a forge without the allowlist refuses the loopback endpoint.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3ObjectStore } from "../objects/s3-object-store.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { CHECKS_PER_HOUR } from "./check-limit.ts";
import { revalidateAll } from "./storage-jobs.ts";

const root = mkdtempSync(join(tmpdir(), "micelio-storage-"));
let server: S3rver;
let endpoint = "";
let f: TestForge;
let alice: Awaited<ReturnType<typeof userWithToken>>;
let bob: Awaited<ReturnType<typeof userWithToken>>;

const bucketStore = (bucket: string, prefix = "") =>
  s3ObjectStore({
    bucket,
    endpoint,
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
    prefix,
  });

const settings = (bucket: string, extra: Record<string, string> = {}) => ({
  provider: "minio",
  bucket,
  endpoint,
  path_prefix: "forge/",
  access_key_id: "S3RVER",
  secret_access_key: "S3RVER",
  ...extra,
});

beforeAll(async () => {
  server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: join(root, "s3"),
    configureBuckets: [
      { name: "alice-art", configs: [] },
      { name: "org-art", configs: [] },
    ],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  f = await startTestForge({ MICELIO_OUTBOUND_ALLOW: "127.0.0.1" });
  alice = await userWithToken(f.url, "alice");
  bob = await userWithToken(f.url, "bob");
  const made = await api(f.url, "POST", "/api/v1/projects", {
    token: alice.token,
    json: { handle: "app", visibility: "public", description: "pictures in my bucket" },
  });
  expect(made.status).toBe(201);
}, 60_000);
afterAll(async () => {
  await f?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The project page's picture URL and its bytes. */
async function projectPicture() {
  const page = await fetch(`${f.url}/alice/app`, { headers: { accept: "text/html" } });
  const html = await page.text();
  const url = /<meta property="og:image" content="([^"]*)"/.exec(html)?.[1];
  expect(url).toMatch(/\/alice\/app\/og\/[0-9a-f]{32}\.png$/);
  const res = await fetch(url!);
  expect(res.status).toBe(200);
  return {
    key: `og/project/${/([0-9a-f]{32})\.png$/.exec(url!)![1]}.png`,
    body: Buffer.from(await res.arrayBuffer()),
  };
}

describe("per-account storage", () => {
  it("refuses settings it cannot use, saying which field and why", async () => {
    const put = (json: unknown) => api(f.url, "PUT", "/api/v1/user/storage", { token: alice.token, json });
    const noBucket = await put(settings("no-such-bucket"));
    expect(noBucket.status).toBe(400);
    expect(noBucket.body.detail).toMatch(/bucket "no-such-bucket" does not exist/);
    expect(noBucket.body.validation_log.join("\n")).toMatch(/head-bucket/);
    const badEndpoint = await put(settings("alice-art", { endpoint: `${endpoint}/alice-art` }));
    expect(badEndpoint.status).toBe(400);
    expect(badEndpoint.body.errors[0].field).toBe("endpoint");
    const r2 = await put(
      settings("alice-art", { provider: "cloudflare_r2", endpoint: "https://r2.example.com" }),
    );
    expect(r2.body.errors[0]).toMatchObject({
      field: "endpoint",
      message: expect.stringMatching(/account id/),
    });
    const upper = await put(settings("Alice_Art"));
    expect(upper.body.errors[0].field).toBe("bucket");
    expect((await api(f.url, "GET", "/api/v1/user/storage", { token: alice.token })).status).toBe(404);
  });

  it("a user's bucket keeps their project's OG picture; when it disappears pictures fall back and the user sees why", async () => {
    const saved = await api(f.url, "PUT", "/api/v1/user/storage", {
      token: alice.token,
      json: settings("alice-art"),
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({
      provider: "minio",
      bucket: "alice-art",
      path_prefix: "forge/",
      status: "ok",
    });
    expect(saved.body.validation_log).toHaveLength(4);
    const got = await api(f.url, "GET", "/api/v1/user/storage", { token: alice.token });
    expect(JSON.stringify(got.body)).not.toContain("S3RVER"); // neither the secret nor the whole key id
    expect(got.body.secret_access_key).toBeUndefined();
    // Sealed at rest.
    const row = await f.forge.db.selectFrom("storage_configs").selectAll().executeTakeFirstOrThrow();
    expect(row.secret_access_key).toMatch(/^enc:v1:/);
    expect(row.access_key_id).toMatch(/^enc:v1:/);

    const first = await projectPicture();
    const inBucket = await bucketStore("alice-art", "forge/").get(first.key);
    expect(inBucket?.equals(first.body)).toBe(true);
    expect(await f.forge.objects.has(first.key)).toBe(false); // not in the instance store

    // The bucket disappears.
    const gone = bucketStore("alice-art", "forge/");
    for await (const o of gone.list("og/")) await gone.delete(o.key);
    const { S3Client, DeleteBucketCommand } = await import("@aws-sdk/client-s3");
    const admin = new S3Client({
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    await admin.send(new DeleteBucketCommand({ Bucket: "alice-art" }));
    admin.destroy();
    await api(f.url, "PATCH", "/api/v1/projects/alice/app", {
      token: alice.token,
      json: { description: "a new picture after the bucket went away" },
    });
    const second = await projectPicture();
    expect(second.key).not.toBe(first.key);
    expect((await f.forge.objects.get(second.key))?.equals(second.body)).toBe(true);

    const state = await api(f.url, "GET", "/api/v1/user/storage", { token: alice.token });
    expect(state.body.status).toBe("failing");
    expect(state.body.last_error).toMatch(
      /^(Reading|Writing) og\/project\/[0-9a-f]{32}\.png failed: The bucket "alice-art" does not exist/,
    );
    const web = new Browser(f.url);
    await web.submit("/login", "/login", { login: "alice", password: alice.password });
    const settingsPage = await web.get("/settings/storage");
    expect(settingsPage.html).toContain('id="storage-failing"');
    expect(settingsPage.html).toMatch(/does not exist/);
    expect(settingsPage.html).not.toContain("S3RVER");
    expect((await web.get("/alice/app")).html).toContain('id="storage-notice"');
    // Others never see it.
    const other = new Browser(f.url);
    await other.submit("/login", "/login", { login: "bob", password: bob.password });
    expect((await other.get("/alice/app")).html).not.toContain("storage-notice");

    // The revalidation job agrees; the page's "Check again" too.
    expect(await revalidateAll(f.forge)).toMatchObject({ failed: 1 });
    const check = await web.submit("/settings/storage", "/settings/storage/check", {});
    expect(check.html).toMatch(/did not pass its checks/);

    // Removed: the instance store from now on, and the notice goes.
    expect((await api(f.url, "DELETE", "/api/v1/user/storage", { token: alice.token })).status).toBe(204);
    expect((await web.get("/alice/app")).html).not.toContain("storage-notice");
    const audit = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "data"])
      .where("action", "like", "storage.%")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["storage.set", "storage.delete"]);
    expect(JSON.stringify(audit)).not.toContain("S3RVER");
  });

  it("an organization's storage is its owners' to set, read and remove", async () => {
    await api(f.url, "POST", "/api/v1/orgs", { token: alice.token, json: { handle: "acme" } });
    const asBob = await api(f.url, "PUT", "/api/v1/orgs/acme/storage", {
      token: bob.token,
      json: settings("org-art"),
    });
    expect(asBob.status).toBe(403);
    const asAlice = await api(f.url, "PUT", "/api/v1/orgs/acme/storage", {
      token: alice.token,
      json: settings("org-art"),
    });
    expect(asAlice.status, JSON.stringify(asAlice.body)).toBe(200);
    expect((await api(f.url, "GET", "/api/v1/orgs/acme/storage", { token: bob.token })).status).toBe(403);
    expect((await api(f.url, "GET", "/api/v1/orgs/acme/storage", { token: alice.token })).body.bucket).toBe(
      "org-art",
    );
    // A session artifact of the organization's project goes to the organization's bucket.
    const made = await api(f.url, "POST", "/api/v1/projects", {
      token: alice.token,
      json: { handle: "tool", owner: "acme", visibility: "private" },
    });
    expect(made.status).toBe(201);
    const s = await api(f.url, "POST", "/api/v1/projects/acme/tool/sessions", {
      token: alice.token,
      json: { goal: "Keep a report" },
    });
    expect(s.status).toBe(201);
    const path = `/api/v1/projects/acme/tool/sessions/${s.body.id}/artifacts`;
    const up = await fetch(`${f.url}${path}?name=report.txt`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "text/plain" },
      body: "the agent's report",
    });
    expect(up.status).toBe(201);
    const { sha256 } = (await up.json()) as { sha256: string };
    const keys: string[] = [];
    for await (const o of bucketStore("org-art", "forge/").list("session-artifacts/")) keys.push(o.key);
    expect(keys.some((k) => k.endsWith(`/${sha256}`))).toBe(true);
    const back = await fetch(`${f.url}${path}/${sha256}`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(await back.text()).toBe("the agent's report");
    expect((await api(f.url, "DELETE", "/api/v1/orgs/acme/storage", { token: alice.token })).status).toBe(
      204,
    );
  });

  it("a forge without MICELIO_OUTBOUND_ALLOW refuses the loopback endpoint", async () => {
    const closed = await startTestForge();
    try {
      const carol = await userWithToken(closed.url, "carol");
      const r = await api(closed.url, "PUT", "/api/v1/user/storage", {
        token: carol.token,
        json: settings("org-art"),
      });
      expect(r.status).toBe(400);
      expect(r.body.detail).toMatch(/refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1: loopback/);
      // Checks are limited per account: keys and endpoints cannot be tried in bulk.
      for (let i = 1; i < CHECKS_PER_HOUR; i++)
        expect(
          (
            await api(closed.url, "PUT", "/api/v1/user/storage", {
              token: carol.token,
              json: settings("x-y"),
            })
          ).status,
        ).toBe(400);
      const limited = await api(closed.url, "PUT", "/api/v1/user/storage", {
        token: carol.token,
        json: settings("x-y"),
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await closed.close();
    }
  }, 60_000);
});
