// Smart HTTP survives clients that hang up mid-body: for both services, gzipped or not, with
// chunked and Content-Length bodies, a raw client sends half a request and destroys the
// socket; the forge keeps serving and clones still work.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { gitServiceSlots } from "./git-service-slots.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-abort-"));
const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the headers and the first half of `body` over a raw socket, then destroys it. */
async function halfRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  chunked: boolean,
) {
  const sock = connect(port, "127.0.0.1");
  sock.on("error", () => {});
  await new Promise<void>((r) => sock.once("connect", () => r()));
  const lines = [
    `POST ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  lines.push(chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${body.length}`);
  sock.write(`${lines.join("\r\n")}\r\n\r\n`);
  const half = body.subarray(0, Math.max(1, body.length >> 1));
  sock.write(
    chunked
      ? Buffer.concat([Buffer.from(`${half.length.toString(16)}\r\n`), half, Buffer.from("\r\n")])
      : half,
  );
  await sleep(150); // lets the forge start git and read what arrived
  sock.destroy();
  await sleep(50);
}

describe("smart HTTP with clients that hang up mid-body", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let head = "";

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "aborter");
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: owner.token, json: { handle: "pub" } })).status,
    ).toBe(201);
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(src, `f${i}.txt`), `${i}\n`.repeat(2000));
      await runGit(src, "add", ".");
      await runGit(src, "commit", "-q", "-m", `c${i}`);
    }
    const u = new URL("/aborter/pub.git", f.url);
    [u.username, u.password] = ["aborter", owner.token];
    await runGit(src, "push", "-q", u.toString(), "main");
    head = await runGit(src, "rev-parse", "HEAD");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  const basic = () => `Basic ${Buffer.from(`aborter:${owner.token}`).toString("base64")}`;
  const bodies = {
    "git-upload-pack": () =>
      Buffer.from(`${pkt(`want ${head} multi_ack_detailed side-band-64k ofs-delta\n`)}0000${pkt("done\n")}`),
    // An update command followed by a (made-up) pack long enough to be cut in half.
    "git-receive-pack": () =>
      Buffer.concat([
        Buffer.from(
          `${pkt(`${"0".repeat(40)} ${head} refs/heads/other\0report-status side-band-64k\n`)}0000`,
        ),
        Buffer.from("PACK\0\0\0\x02\0\0\0\x01"),
        Buffer.alloc(64 * 1024, 7),
      ]),
  };

  for (const service of ["git-upload-pack", "git-receive-pack"] as const) {
    for (const gzip of [false, true]) {
      for (const chunked of [false, true]) {
        it(`${service}, ${gzip ? "gzip" : "plain"}, ${chunked ? "chunked" : "Content-Length"}: the forge stays up`, async () => {
          const raw = bodies[service]();
          const body = gzip ? gzipSync(raw) : raw;
          const headers: Record<string, string> = {
            "Content-Type": `application/x-${service}-request`,
            Authorization: basic(),
          };
          if (gzip) headers["Content-Encoding"] = "gzip";
          await halfRequest(f.port, `/aborter/pub.git/${service}`, headers, body, chunked);
          expect((await fetch(new URL("/health", f.url))).status).toBe(200);
          // The git process of the abandoned request is gone (killed, its slot given back).
          await vi.waitFor(() => expect(gitServiceSlots(f.forge).running).toBe(0), { timeout: 10_000 });
        });
      }
    }
  }

  it("still clones afterwards", async () => {
    const dir = join(work, "clone");
    await runGit(work, "clone", "-q", new URL("/aborter/pub.git", f.url).toString(), dir);
    expect(await runGit(dir, "rev-parse", "HEAD")).toBe(head);
  });
});
