// The JSON API's body cap and checks, whether a body declares its length or comes in chunks:
// over 1 MiB is too_large either way, and a body that passed the checks reaches the route
// whole (the route reads the text the check decoded).
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postRaw, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

/** Sends `chunks` with Transfer-Encoding: chunked (no Content-Length). */
function postChunked(url: string, chunks: Buffer[], token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` } },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, body: null }));
      },
    );
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("JSON bodies", () => {
  let f: TestForge;
  let token: string;
  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "limits")).token;
  });
  afterAll(() => f.close());

  it("refuses more than 1 MiB by its Content-Length and in chunks", async () => {
    const big = JSON.stringify({ handle: "big", description: "x".repeat(1_100_000) });
    const declared = await postRaw(`${f.url}/api/v1/projects`, big);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).type).toMatch(/too_large|too-large/);
    const chunked = await postChunked(
      `${f.url}/api/v1/projects`,
      Array.from({ length: 12 }, (_, i) => Buffer.from(big.slice(i * 100_000, (i + 1) * 100_000))),
      token,
    );
    expect(chunked.status).toBe(413);
  });

  it("hands a checked body to the route whole, sent in one piece or in chunks", async () => {
    const one = await api(f.url, "POST", "/api/v1/projects", {
      token,
      json: { handle: "whole", description: "é ✓" },
    });
    expect(one.status).toBe(201);
    expect(one.body.description).toBe("é ✓");
    const body = Buffer.from(JSON.stringify({ handle: "chunks", description: "in ✓ pieces" }));
    // cut inside the three bytes of ✓: the decoder must see the whole body, not each chunk
    const at = body.indexOf(Buffer.from("✓")) + 1;
    const chunked = await postChunked(
      `${f.url}/api/v1/projects`,
      [body.subarray(0, at), body.subarray(at)],
      token,
    );
    expect(chunked.status).toBe(201);
    expect(chunked.body.description).toBe("in ✓ pieces");
  });

  it("refuses bad UTF-8 and too deep nesting before the route", async () => {
    const bad = await postChunked(
      `${f.url}/api/v1/projects`,
      [Buffer.from('{"handle":"bad'), Buffer.from([0xff]), Buffer.from('"}')],
      token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/UTF-8/);
    const deep = await api(f.url, "POST", "/api/v1/projects", {
      token,
      raw: `${"[".repeat(65)}${"]".repeat(65)}`,
      headers: { "content-type": "application/json" },
    });
    expect(deep.status).toBe(400);
    expect(deep.body.detail).toMatch(/deep/);
  });
});
