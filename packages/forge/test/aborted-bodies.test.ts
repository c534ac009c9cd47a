// Every route that reads a request body (other than git smart HTTP, tested in repos/) survives
// a client that sends half of it and hangs up: with and without Content-Encoding: gzip, with
// chunked and with Content-Length bodies. After each abort /health still answers 200, and a
// normal request to the same route still works. An error escaping a request would end this
// test process (vitest reports it as an unhandled error), as it would end `micelio serve`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitEnv } from "../src/repos/git.ts";
import { api, Browser, userWithToken } from "../src/testing/client.ts";
import { startTestForge, type TestForge } from "../src/testing/forge.ts";

interface Route {
  name: string;
  method: string;
  path: string;
  /** Headers besides the body's framing (auth, content type). */
  headers: () => Record<string, string>;
  /** A complete, valid body (a fresh one for each call). */
  body: () => Buffer;
  /** The status a normal request answers. */
  ok: number;
}

function multipart(fields: Record<string, string>, file: { name: string; filename: string; bytes: Buffer }) {
  const boundary = `----micelio${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

/** Sends the head and half the body over a raw socket, then destroys the socket. */
async function abortMidBody(port: number, route: Route, gzip: boolean, chunked: boolean) {
  const full = gzip ? gzipSync(route.body()) : route.body();
  const half = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...route.headers() };
  if (gzip) headers["content-encoding"] = "gzip";
  if (chunked) headers["transfer-encoding"] = "chunked";
  else headers["content-length"] = String(full.length);
  const head = `${route.method} ${route.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(head);
  socket.write(chunked ? Buffer.concat([Buffer.from(`${half.length.toString(16)}\r\n`), half]) : half);
  // Gives the forge time to start reading the body (no assertion depends on it).
  await new Promise((r) => setTimeout(r, 150));
  socket.destroy();
  await new Promise((r) => setTimeout(r, 50));
}

async function normal(base: string, route: Route, gzip = false) {
  // First: a multipart body sets its boundary.
  const body = new Uint8Array(gzip ? gzipSync(route.body()) : route.body());
  const res = await fetch(base + route.path, {
    method: route.method,
    headers: { ...route.headers(), ...(gzip ? { "content-encoding": "gzip" } : {}) },
    body,
    redirect: "manual",
  });
  return { status: res.status, text: await res.text() };
}

describe("a client that aborts mid-body", () => {
  let f: TestForge;
  const work = mkdtempSync(join(tmpdir(), "micelio-aborts-"));
  const routes: Route[] = [];
  let n = 0;

  beforeAll(async () => {
    f = await startTestForge();
    const u = await userWithToken(f.url, "aborter");
    const bearer = { authorization: `Bearer ${u.token}` };
    const json = { ...bearer, "content-type": "application/json" };
    const b = new Browser(f.url);
    await b.submit("/login", "/login", { login: "aborter", password: u.password });
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get("/settings/profile")).html)![1];
    const web = (type: string) => ({ cookie: b.cookieHeader, "content-type": type, accept: "text/html" });

    const repo = join(work, "repo");
    const env = {
      ...gitEnv(),
      GIT_AUTHOR_NAME: "A",
      GIT_AUTHOR_EMAIL: "a@example.test",
      GIT_COMMITTER_NAME: "A",
      GIT_COMMITTER_EMAIL: "a@example.test",
    };
    execFileSync("git", ["init", "-q", "-b", "main", repo], { env });
    execFileSync("git", ["-C", repo, "commit", "-q", "--allow-empty", "-m", "first"], { env });
    execFileSync("git", ["-C", repo, "bundle", "create", "-q", join(work, "repo.bundle"), "--all"], { env });
    const bundle = readFileSync(join(work, "repo.bundle"));
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3a7" } })
      .png()
      .toBuffer();

    for (const handle of ["target", "apiimport"]) {
      const p = await api(f.url, "POST", "/api/v1/projects", { token: u.token, json: { handle } });
      expect(p.status).toBe(201);
    }
    const session = await api(f.url, "POST", "/api/v1/projects/aborter/target/sessions", {
      token: u.token,
      json: { goal: "Abort bodies" },
    });
    expect(session.status).toBe(201);
    const sessionPath = `/api/v1/projects/aborter/target/sessions/${session.body.id}`;

    let webImport = multipart({}, { name: "bundle", filename: "r.bundle", bytes: bundle });
    let avatar = multipart({}, { name: "avatar", filename: "a.png", bytes: png });
    routes.push(
      {
        name: "API bundle import",
        method: "POST",
        path: "/api/v1/projects/aborter/apiimport/import",
        headers: () => ({ ...bearer, "content-type": "application/x-git-bundle" }),
        body: () => bundle,
        ok: 200,
      },
      {
        name: "web bundle import (multipart)",
        method: "POST",
        path: "/new/import",
        headers: () => web(webImport.type),
        body: () => {
          webImport = multipart(
            { _csrf: csrf, owner: "aborter", handle: `web${++n}`, visibility: "public" },
            { name: "bundle", filename: "r.bundle", bytes: bundle },
          );
          return webImport.body;
        },
        ok: 303,
      },
      {
        name: "avatar upload (multipart)",
        method: "POST",
        path: "/settings/profile/avatar",
        headers: () => web(avatar.type),
        body: () => {
          avatar = multipart({ _csrf: csrf }, { name: "avatar", filename: "a.png", bytes: png });
          return avatar.body;
        },
        ok: 303,
      },
      {
        name: "web form (urlencoded)",
        method: "POST",
        path: "/settings/profile",
        headers: () => web("application/x-www-form-urlencoded"),
        body: () =>
          Buffer.from(new URLSearchParams({ _csrf: csrf, name: "Aborter", bio: "x".repeat(100) }).toString()),
        ok: 303,
      },
      {
        name: "session changes upload (JSON)",
        method: "PUT",
        path: `${sessionPath}/changes`,
        headers: () => json,
        body: () =>
          Buffer.from(
            JSON.stringify({
              changes: [{ path: "a.txt", content: Buffer.from("y".repeat(20_000)).toString("base64") }],
            }),
          ),
        ok: 200,
      },
      {
        name: "session events (JSON)",
        method: "POST",
        path: `${sessionPath}/events`,
        headers: () => json,
        body: () => Buffer.from(JSON.stringify({ events: [{ kind: "prompt", text: "z".repeat(20_000) }] })),
        ok: 201,
      },
      {
        name: "JSON API (project creation)",
        method: "POST",
        path: "/api/v1/projects",
        headers: () => json,
        body: () => Buffer.from(JSON.stringify({ handle: `json${++n}`, description: "d".repeat(900) })),
        ok: 201,
      },
      {
        name: "sign-up (anonymous JSON)",
        method: "POST",
        path: "/api/v1/signup",
        headers: () => ({ "content-type": "application/json" }),
        body: () => {
          const h = `signer${++n}`;
          return Buffer.from(
            JSON.stringify({ handle: h, email: `${h}@example.test`, password: "p".repeat(40) }),
          );
        },
        ok: 201,
      },
    );
  }, 120_000);

  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const cases = [
    "API bundle import",
    "web bundle import (multipart)",
    "avatar upload (multipart)",
    "web form (urlencoded)",
    "session changes upload (JSON)",
    "session events (JSON)",
    "JSON API (project creation)",
    "sign-up (anonymous JSON)",
  ];
  for (const name of cases) {
    it(`${name}: keeps serving after every kind of abort`, async () => {
      const route = routes.find((r) => r.name === name)!;
      for (const gzip of [false, true])
        for (const chunked of [false, true]) {
          await abortMidBody(f.port, route, gzip, chunked);
          const health = await fetch(`${f.url}/health`);
          expect(health.status, `${name} gzip=${gzip} chunked=${chunked}`).toBe(200);
        }
      // A whole body gzip-encoded (which no route decodes) is refused with a 4xx, never a 500.
      const encoded = await normal(f.url, route, true);
      expect(encoded.status, encoded.text.slice(0, 300)).toBeLessThan(500);
      const res = await normal(f.url, route);
      expect(res.status, res.text.slice(0, 300)).toBe(route.ok);
    });
  }
});
