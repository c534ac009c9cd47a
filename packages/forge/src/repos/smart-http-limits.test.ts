// The caps on git smart HTTP: inflated request bodies (a gzip bomb), concurrent git processes
// per client (50 parallel clones), the queue (503 with Retry-After), the wall-clock limit,
// and pushes: pack size, malformed packs, object count, and fsck of each object.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { gitEnv } from "../repos/git.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";
import { gitServiceSlots } from "./git-service-slots.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-limits-"));
const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;
const ZERO = "0".repeat(40);

/** Opens a raw POST whose chunked body stays open, so the git process waits on its stdin. */
async function hangingPost(port: number, path: string, service: string, first: string): Promise<Socket> {
  const sock = connect(port, "127.0.0.1");
  sock.on("error", () => {});
  await new Promise<void>((r) => sock.once("connect", () => r()));
  sock.write(
    [
      `POST ${path} HTTP/1.1`,
      "Host: 127.0.0.1",
      `Content-Type: application/x-${service}-request`,
      "Transfer-Encoding: chunked",
      "",
      `${first.length.toString(16)}\r\n${first}\r\n`,
    ].join("\r\n"),
  );
  return sock;
}

async function makeRepo(dir: string, files: number) {
  await runGit(work, "init", "-q", "-b", "main", dir);
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `f${i}.txt`), `${i}\n`);
  await runGit(dir, "add", ".");
  await runGit(dir, "commit", "-q", "-m", "start");
  return runGit(dir, "rev-parse", "HEAD");
}

describe("git smart HTTP caps", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let head = "";
  const src = join(work, "src");
  const pushUrl = () => {
    const u = new URL("/capper/pub.git", f.url);
    [u.username, u.password] = ["capper", owner.token];
    return u.toString();
  };
  const basic = () => `Basic ${Buffer.from(`capper:${owner.token}`).toString("base64")}`;
  const remoteRefs = () => runGit(src, "ls-remote", pushUrl());

  beforeAll(async () => {
    f = await startTestForge({
      MICELIO_GIT_PROCESSES_PER_CLIENT: "2",
      MICELIO_GIT_QUEUE: "500",
      MICELIO_GIT_QUEUE_PER_CLIENT: "200",
      MICELIO_GIT_MAX_REQUEST_BYTES: String(8 * 2 ** 20),
      MICELIO_GIT_MAX_PUSH_BYTES: "200000",
      MICELIO_GIT_MAX_PUSH_OBJECTS: "1000",
    });
    owner = await userWithToken(f.url, "capper");
    const made = await api(f.url, "POST", "/api/v1/projects", {
      token: owner.token,
      json: { handle: "pub" },
    });
    expect(made.status).toBe(201);
    head = await makeRepo(src, 3);
    await runGit(src, "push", "-q", pushUrl(), "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("answers a gzip bomb to upload-pack with 413 and stops git", async () => {
    // Want lines git keeps reading without answering; 1 MiB of them gzipped once, the member
    // repeated: about 3 MB that inflate to 1 GiB.
    const line = pkt(`want ${head}\n`);
    const member = gzipSync(Buffer.from(line.repeat(Math.floor(2 ** 20 / line.length))), { level: 9 });
    const first = gzipSync(Buffer.from(pkt(`want ${head} multi_ack_detailed side-band-64k\n`)));
    const bomb = Buffer.concat([first, ...Array.from({ length: 1024 }, () => member)]);
    expect(bomb.length).toBeLessThan(4 * 2 ** 20);
    const res = await fetch(new URL("/capper/pub.git/git-upload-pack", f.url), {
      method: "POST",
      headers: { "Content-Type": "application/x-git-upload-pack-request", "Content-Encoding": "gzip" },
      body: bomb,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(((await res.json()) as { type: string }).type).toMatch(/too-large$/);
    await vi.waitFor(() => expect(gitServiceSlots(f.forge).running).toBe(0), { timeout: 10_000 });
    expect((await fetch(new URL("/health", f.url))).status).toBe(200);
  });

  it("runs at most the per-client number of git processes for 50 parallel clones", async () => {
    const slots = gitServiceSlots(f.forge);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        tryGit(work, "clone", "-q", new URL("/capper/pub.git", f.url).toString(), join(work, `clone-${i}`)),
      ),
    );
    expect(results.filter((r) => !r.ok).map((r) => r.out)).toEqual([]);
    expect(slots.peakFor("ip:127.0.0.1")).toBe(2);
    expect(slots.running).toBe(0);
  });

  it("refuses a push over the size cap and leaves the refs alone", async () => {
    const before = await remoteRefs();
    const big = join(work, "big");
    await runGit(work, "clone", "-q", pushUrl(), big);
    // Random bytes do not compress: the pack is larger than the 200,000-byte cap.
    writeFileSync(
      join(big, "noise.bin"),
      Buffer.from(Array.from({ length: 300_000 }, () => (Math.random() * 256) | 0)),
    );
    await runGit(big, "add", ".");
    await runGit(big, "commit", "-q", "-m", "too big");
    const push = await tryGit(big, "push", pushUrl(), "main");
    expect(push.ok).toBe(false);
    expect(push.out).toMatch(/413|too large|exceeds/i);
    expect(await remoteRefs()).toBe(before);
  });

  it("refuses malformed packs and keeps serving", async () => {
    const before = await remoteRefs();
    const local = join(work, "malformed");
    await runGit(work, "clone", "-q", pushUrl(), local);
    writeFileSync(join(local, "new.txt"), "new\n");
    await runGit(local, "add", ".");
    await runGit(local, "commit", "-q", "-m", "new");
    const tip = await runGit(local, "rev-parse", "HEAD");
    const pack = execFileSync("git", ["pack-objects", "--stdout", "--revs"], {
      cwd: local,
      input: `${tip}\n^${head}\n`,
      env: gitEnv(),
    });
    const commands = Buffer.from(`${pkt(`${ZERO} ${tip} refs/heads/evil\0report-status\n`)}0000`);
    const badCount = Buffer.from(pack);
    badCount.writeUInt32BE(badCount.readUInt32BE(8) + 5, 8);
    const tooMany = Buffer.from(pack);
    tooMany.writeUInt32BE(0xffffffff, 8);
    const cases: [string, Buffer, number[]][] = [
      ["garbage after the commands", Buffer.from("HELLO this is not a pack at all"), [400]],
      ["a truncated pack", pack.subarray(0, pack.length >> 1), [200, 400]],
      ["a wrong object count", badCount, [200, 400]],
      ["an object count over the cap", tooMany, [413]],
      ["a cut-short header", pack.subarray(0, 7), [400]],
    ];
    for (const [what, tail, statuses] of cases) {
      const res = await fetch(new URL("/capper/pub.git/git-receive-pack", f.url), {
        method: "POST",
        headers: { "Content-Type": "application/x-git-receive-pack-request", Authorization: basic() },
        body: Buffer.concat([commands, tail]),
      });
      const text = await res.text();
      expect(statuses, `${what}: ${res.status} ${text}`).toContain(res.status);
      if (res.status === 200) expect(text, what).toMatch(/ng refs\/heads\/evil/);
      expect((await fetch(new URL("/health", f.url))).status).toBe(200);
    }
    expect(await remoteRefs()).toBe(before);
  });

  it("refuses a push with a malformed object (fsck)", async () => {
    const before = await remoteRefs();
    const tree = await runGit(src, "rev-parse", "HEAD^{tree}");
    const commit = `tree ${tree}\nparent ${head}\nauthor no email here 1700000000 +0000\ncommitter C <c@x> 1700000000 +0000\n\nbad author\n`;
    const oid = execFileSync("git", ["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], {
      cwd: src,
      input: commit,
      env: gitEnv(),
      encoding: "utf8",
    }).trim();
    const push = await tryGit(src, "push", pushUrl(), `${oid}:refs/heads/broken`);
    expect(push.ok).toBe(false);
    expect(push.out).toMatch(/fsck|author|unpack/i);
    expect(await remoteRefs()).toBe(before);
  });
});

describe("git smart HTTP queue and time limit", () => {
  let f: TestForge;

  beforeAll(async () => {
    f = await startTestForge({
      MICELIO_GIT_PROCESSES_PER_CLIENT: "1",
      MICELIO_GIT_QUEUE_PER_CLIENT: "0",
      MICELIO_GIT_TIMEOUT: "2",
    });
    const owner = await userWithToken(f.url, "waiter");
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: owner.token, json: { handle: "pub" } })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await f.close();
  });

  it("answers 503 with Retry-After when the queue is full, and stops a process over its time", async () => {
    const sock = await hangingPost(f.port, "/waiter/pub.git/git-upload-pack", "git-upload-pack", "0032want");
    let answer = "";
    sock.on("data", (d: Buffer) => {
      answer += d.toString("latin1");
    });
    await vi.waitFor(() => expect(gitServiceSlots(f.forge).runningFor("ip:127.0.0.1")).toBe(1));
    const busy = await fetch(new URL("/waiter/pub.git/info/refs?service=git-upload-pack", f.url));
    expect(busy.status).toBe(503);
    expect(Number(busy.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(busy.headers.get("content-type")).toMatch(/problem\+json/);
    // The waiting upload-pack is stopped at the time limit and its request ends.
    await vi.waitFor(() => expect(answer).toMatch(/^HTTP\/1\.1 503/), { timeout: 15_000 });
    sock.destroy();
    await vi.waitFor(() => expect(gitServiceSlots(f.forge).running).toBe(0));
    expect((await fetch(new URL("/waiter/pub.git/info/refs?service=git-upload-pack", f.url))).status).toBe(
      200,
    );
  });
});
