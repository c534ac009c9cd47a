import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../../testing/client.ts";
import { startTestForge, type TestForge } from "../../testing/forge.ts";
import { runGit, tryGit } from "../../testing/git.ts";
import { repoJobHandlers } from "../maintain.ts";
import { bundlePath, currentBundle } from "./bundle-store.ts";
import { REPO_BUNDLE_JOB, refreshBundle } from "./bundle-upkeep.ts";
import { bundleUrl } from "./bundle-urls.ts";
import { DELIM, FLUSH, pktLine, pktText, readPkts } from "./pkt-line.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-bundles-"));
const V2 = { "git-protocol": "version=2" };
const refs = (dir: string) =>
  runGit(dir, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags");

describe("clone bundles (bundle-uri)", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let other: Awaited<ReturnType<typeof userWithToken>>;
  const ids: Record<string, string> = {};
  const src = join(work, "src");
  const url = (path: string, auth?: { handle: string; token: string }) => {
    const u = new URL(path, f.url);
    if (auth) [u.username, u.password] = [auth.handle, auth.token];
    return u.toString();
  };
  const basic = (who: { handle: string; token: string }) => ({
    authorization: `Basic ${Buffer.from(`${who.handle}:${who.token}`).toString("base64")}`,
  });
  const upkeep = (project: string) =>
    repoJobHandlers(f.forge.repos, { db: f.forge.db, settings: f.forge.config.bundles })["repo.maintain"](
      { projectId: ids[project] },
      { job: {} as never, attempt: 1, signal: new AbortController().signal },
    );
  /** The v2 capability advertisement's lines. */
  const capabilities = async (project: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url(`/gitowner/${project}.git/info/refs?service=git-upload-pack`), {
      headers: { ...V2, ...headers },
    });
    if (res.status !== 200) return res.status;
    return readPkts(Buffer.from(await res.arrayBuffer())).pkts.map(pktText);
  };
  /** The answer to `command=bundle-uri`, as git sends it, parsed into key=value lines. */
  const bundleList = async (project: string, headers: Record<string, string> = {}) => {
    const body = Buffer.concat([
      pktLine("command=bundle-uri\n"),
      pktLine("agent=git/2.39.5\n"),
      pktLine("object-format=sha1\n"),
      DELIM,
      FLUSH,
    ]);
    const res = await fetch(url(`/gitowner/${project}.git/git-upload-pack`), {
      method: "POST",
      headers: { ...V2, ...headers, "content-type": "application/x-git-upload-pack-request" },
      body,
    });
    expect(res.status).toBe(200);
    const { pkts, used } = readPkts(Buffer.from(await res.arrayBuffer()));
    expect(pkts.at(-1)).toEqual({ kind: "flush" });
    expect(used).toBe(Number(res.headers.get("content-length") ?? used));
    return Object.fromEntries(
      pkts.filter((p) => p.kind === "data").map((p) => pktText(p)!.split(/=(.*)/s).slice(0, 2)),
    ) as Record<string, string>;
  };
  const uriOf = (list: Record<string, string>) => Object.entries(list).find(([k]) => k.endsWith(".uri"))?.[1];

  beforeAll(async () => {
    f = await startTestForge({ MICELIO_BUNDLE_MIN_COMMITS: "3", MICELIO_BUNDLE_INTERVAL: "3600" });
    owner = await userWithToken(f.url, "gitowner");
    other = await userWithToken(f.url, "stranger");
    for (const [handle, visibility] of [
      ["pub", "public"],
      ["priv", "private"],
      ["small", "public"],
    ]) {
      const res = await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle, visibility },
      });
      expect(res.status).toBe(201);
      const row = await f.forge.db
        .selectFrom("projects")
        .select("id")
        .where("handle", "=", handle)
        .executeTakeFirstOrThrow();
      ids[handle] = row.id;
    }
    await runGit(work, "init", "-q", "-b", "main", src);
    for (let i = 1; i <= 5; i++) {
      writeFileSync(join(src, `file${i}.txt`), `content ${i}\n`);
      await runGit(src, "add", ".");
      await runGit(src, "commit", "-q", "-m", `commit ${i}`);
      if (i === 1) await runGit(src, "push", "-q", url("/gitowner/small.git", owner), "main");
    }
    await runGit(src, "tag", "-a", "v1", "-m", "v1");
    for (const p of ["pub", "priv"]) {
      await runGit(src, "push", "-q", url(`/gitowner/${p}.git`, owner), "main", "--tags");
      await upkeep(p);
    }
    await upkeep("small");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("advertises bundle-uri only where a bundle exists, and lists it", async () => {
    expect(await capabilities("pub")).toContain("bundle-uri");
    const list = await bundleList("pub");
    const info = (await currentBundle(f.forge.repos.dir(ids.pub)))!;
    expect(list).toEqual({
      "bundle.version": "1",
      "bundle.mode": "all",
      [`bundle.${info.id}.uri`]: url(`/gitowner/pub.git/bundles/${info.id}.bundle`),
    });
    // The command takes no arguments, as in git.
    const withArg = await fetch(url("/gitowner/pub.git/git-upload-pack"), {
      method: "POST",
      headers: { ...V2, "content-type": "application/x-git-upload-pack-request" },
      body: Buffer.concat([pktLine("command=bundle-uri\n"), DELIM, pktLine("want HEAD\n"), FLUSH]),
    });
    expect(withArg.status).toBe(400);
    expect(((await withArg.json()) as { detail: string }).detail).toMatch(/unexpected argument/);
    // Below the threshold: no bundle, no capability, an empty list.
    expect(await currentBundle(f.forge.repos.dir(ids.small))).toBeNull();
    const small = await capabilities("small");
    expect(small).toContain("version 2");
    expect(small).not.toContain("bundle-uri");
    expect(await bundleList("small")).toEqual({});
  });

  it("clones from the advertised bundle with the same refs, and serves it cacheably", async () => {
    const uri = uriOf(await bundleList("pub"))!;
    const res = await fetch(uri);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const etag = res.headers.get("etag")!;
    expect((await res.arrayBuffer()).byteLength).toBe(Number(res.headers.get("content-length")));
    expect((await fetch(uri, { headers: { "if-none-match": etag } })).status).toBe(304);
    const head = await fetch(uri, { method: "HEAD" });
    expect([head.status, head.headers.get("content-length")]).toEqual([
      200,
      res.headers.get("content-length"),
    ]);

    const clone = join(work, "pub-clone");
    await runGit(work, "clone", "-q", "--mirror", `--bundle-uri=${uri}`, url("/gitowner/pub.git"), clone);
    expect(await refs(clone)).toBe(await refs(src));
    // The bundle's refs were unpacked on the way (git keeps them under refs/bundles/).
    expect(await runGit(clone, "rev-parse", "refs/bundles/main")).toBe(
      await runGit(src, "rev-parse", "main"),
    );
    // Protocol v2 fetches and the other commands still reach upload-pack.
    const plain = join(work, "pub-plain");
    await runGit(work, "-c", "protocol.version=2", "clone", "-q", url("/gitowner/pub.git"), plain);
    expect(await runGit(plain, "rev-parse", "HEAD")).toBe(await runGit(src, "rev-parse", "main"));
  });

  it("never serves a private project's bundle to whoever cannot read it", async () => {
    const info = (await currentBundle(f.forge.repos.dir(ids.priv)))!;
    const path = `/gitowner/priv.git/bundles/${info.id}.bundle`;
    // Anonymous callers are asked for credentials, as for a clone; another account gets 404.
    expect(await capabilities("priv")).toBe(401);
    expect(await capabilities("priv", basic(other))).toBe(404);
    expect((await fetch(url(path))).status).toBe(401);
    expect((await fetch(url(path), { headers: basic(other) })).status).toBe(404);
    const forged = `${url(path)}?expires=${Math.floor(Date.now() / 1000) + 60}&sig=${"0".repeat(64)}`;
    expect((await fetch(forged)).status).toBe(401);
    expect((await fetch(forged, { headers: basic(other) })).status).toBe(404);
    // The member sees the capability and gets a signed, private URL that works without credentials.
    expect(await capabilities("priv", basic(owner))).toContain("bundle-uri");
    const uri = uriOf(await bundleList("priv", basic(owner)))!;
    expect(uri).toMatch(
      new RegExp(`^${url(path).replace(/[.?]/g, "\\$&")}\\?expires=\\d+&sig=[0-9a-f]{64}$`),
    );
    const signed = await fetch(uri);
    expect(signed.status).toBe(200);
    expect(signed.headers.get("cache-control")).toMatch(/^private, max-age=\d+$/);
    await signed.arrayBuffer();
    // The signature is for that bundle of that project only.
    expect((await fetch(uri.replace(info.id, "zzzzzz-0123456789abcdef"))).status).toBe(401);
    expect((await fetch(uri.replace("/priv.git/", "/small.git/"))).status).toBe(404);
    expect((await fetch(url(path), { headers: basic(owner) })).status).toBe(200);
    const clone = join(work, "priv-clone");
    await runGit(
      work,
      "clone",
      "-q",
      "--mirror",
      `--bundle-uri=${uri}`,
      url("/gitowner/priv.git", owner),
      clone,
    );
    expect(await refs(clone)).toBe(await refs(src));
  });

  it("points public bundles at MICELIO_CDN_URL when it is set", () => {
    const forge = { ...f.forge, config: { ...f.forge.config, cdnUrl: "https://cdn.example" } };
    const project = { id: ids.pub, owner_handle: "gitowner", handle: "pub", visibility: "public" };
    expect(bundleUrl(forge, f.url, project, "abc123-0123456789abcdef")).toBe(
      "https://cdn.example/gitowner/pub.git/bundles/abc123-0123456789abcdef.bundle",
    );
    expect(bundleUrl(forge, f.url, { ...project, visibility: "private" }, "abc123-0123456789abcdef")).toMatch(
      /^https:\/\/cdn\.example\/gitowner\/pub\.git\/bundles\/abc123-0123456789abcdef\.bundle\?expires=\d+&sig=/,
    );
  });

  it("rebuilds the bundle after new landings once the interval has passed, not before", async () => {
    const dir = f.forge.repos.dir(ids.pub);
    const first = (await currentBundle(dir))!;
    writeFileSync(join(src, "file6.txt"), "content 6\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "commit 6");
    await runGit(src, "push", "-q", url("/gitowner/pub.git", owner), "main");
    await upkeep("pub");
    // Too recent: kept, and a job waits for the interval to pass.
    expect((await currentBundle(dir))!.id).toBe(first.id);
    const job = await f.forge.db
      .selectFrom("jobs")
      .select(["kind", "run_at"])
      .where("unique_key", "=", `${REPO_BUNDLE_JOB}:${ids.pub}`)
      .executeTakeFirstOrThrow();
    expect(job.kind).toBe(REPO_BUNDLE_JOB);
    expect(new Date(job.run_at).getTime()).toBeGreaterThan(Date.now() + 3000_000);
    // Past the interval it is rebuilt; the previous one is gone once the new one is in place.
    const later = first.createdAt + f.forge.config.bundles.intervalMs + 1;
    const outcome = await refreshBundle(dir, f.forge.config.bundles, { now: later });
    expect(outcome.state).toBe("built");
    const second = (await currentBundle(dir))!;
    expect(second.id).not.toBe(first.id);
    expect(second.head).toBe(await runGit(src, "rev-parse", "main"));
    expect(existsSync(bundlePath(dir, first.id))).toBe(false);
    expect(uriOf(await bundleList("pub"))).toBe(url(`/gitowner/pub.git/bundles/${second.id}.bundle`));
    expect((await fetch(url(`/gitowner/pub.git/bundles/${first.id}.bundle`))).status).toBe(404);
    expect((await refreshBundle(dir, f.forge.config.bundles, { now: later * 2 })).state).toBe("fresh");

    const clone = join(work, "pub-clone-2");
    const uri = uriOf(await bundleList("pub"))!;
    await runGit(work, "clone", "-q", "--mirror", `--bundle-uri=${uri}`, url("/gitowner/pub.git"), clone);
    expect(await refs(clone)).toBe(await refs(src));
  });

  it("rebuilds at once when the default branch is rewound", async () => {
    const dir = f.forge.repos.dir(ids.pub);
    const before = (await currentBundle(dir))!;
    await runGit(src, "reset", "-q", "--hard", "HEAD~2");
    const pushed = await tryGit(src, "push", "-q", "-f", url("/gitowner/pub.git", owner), "main");
    expect(pushed.ok).toBe(true);
    await upkeep("pub");
    const after = (await currentBundle(dir))!;
    expect(after.id).not.toBe(before.id);
    expect(after.head).toBe(await runGit(src, "rev-parse", "main"));
  });
});
