// PUT …/sessions/{id}/file: a file too large for a JSON body arrives as raw bytes and lands
// like any change; the session's owner only (anonymous 401, another user 404 before the body
// is read), the same path rules as PUT …/changes, JSON refused, a declared length over the cap
// refused before anything is read.

import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { MAX_SESSION_FILE_BYTES } from "./session-file-api.ts";

describe("PUT session file (raw bytes)", () => {
  let f: TestForge;
  let token: string;
  let other: string;
  const base = "/api/v1/projects/filer/big";
  const putFile = (
    id: string,
    path: string,
    body: Uint8Array | string,
    t = token,
    type = "application/octet-stream",
  ) =>
    fetch(`${f.url}${base}/sessions/${id}/file?path=${encodeURIComponent(path)}`, {
      method: "PUT",
      headers: { "content-type": type, ...(t ? { authorization: `Bearer ${t}` } : {}) },
      body: typeof body === "string" ? body : new Uint8Array(body),
    });
  const open = async (goal: string) =>
    (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal } })).body.id as string;

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "filer")).token;
    other = (await userWithToken(f.url, "stranger")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "big", visibility: "private" } });
  });
  afterAll(async () => {
    await f.close();
  });

  it("lands a 3 MiB file sent as raw bytes, beside a JSON upload of the same session", async () => {
    const id = await open("A large data file");
    const bytes = randomBytes(3 * 1024 * 1024);
    const r = await putFile(id, "data/blob.bin", bytes);
    expect(r.status, await r.clone().text()).toBe(200);
    expect(((await r.json()) as { paths: string[] }).paths).toEqual(["data/blob.bin"]);
    const small = await api(f.url, "PUT", `${base}/sessions/${id}/changes`, {
      token,
      json: { changes: [{ path: "README.md", content: Buffer.from("# big\n").toString("base64") }] },
    });
    expect(small.body.paths).toEqual(["README.md", "data/blob.bin"]);
    const landed = await api(f.url, "POST", `${base}/sessions/${id}/land`, { token });
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    const project = await f.forge.db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", "big")
      .executeTakeFirstOrThrow();
    const dir = f.forge.repos.dir(project.id);
    const blobId = createHash("sha1")
      .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
      .digest("hex");
    expect(await runGit(dir, "rev-parse", "main:data/blob.bin")).toBe(blobId);
    expect(await runGit(dir, "cat-file", "-s", blobId)).toBe(String(bytes.length));
  });

  it("lets only the session's writers send, and refuses before reading the body", async () => {
    const id = await open("Guarded");
    expect((await putFile(id, "a.bin", "x", "")).status).toBe(401);
    expect((await putFile(id, "a.bin", "x", other)).status).toBe(404);
    const json = await putFile(id, "a.bin", '{"a":1}', token, "application/json");
    expect(json.status).toBe(400);
    expect((await putFile(id, "a/.git/config", "x")).status).toBe(400);
    expect((await putFile(id, "../escape", "x")).status).toBe(400);
    // A declared length over the cap: 413 without the body being sent at all.
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${f.url}${base}/sessions/${id}/file?path=huge.bin`);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          method: "PUT",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/octet-stream",
            "content-length": String(MAX_SESSION_FILE_BYTES + 1),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
    // The session is unchanged by all of it.
    const s = (await api(f.url, "GET", `${base}/sessions/${id}`, { token })).body;
    expect(s.touched_paths).toBe(0);
  });
});
