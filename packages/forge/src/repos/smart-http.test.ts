import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";
import { gitEnv, observeGit } from "./git.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-git-"));
// The forge runs in this process: git must run asynchronously or it would wait on itself.
const run = runGit;
const tryRun = tryGit;
/** Git's own v2 advertisement for the repository at `dir`. */
const gitsAdvert = async (dir: string) =>
  (
    await promisify(execFile)(
      "git",
      ["-c", "core.alternateRefsCommand=true", "upload-pack", "--stateless-rpc", "--advertise-refs", dir],
      { env: gitEnv({ GIT_PROTOCOL: "version=2" }) },
    )
  ).stdout.trim();
const refs = async (dir: string) =>
  await run(dir, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags");

describe("git smart HTTP", async () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let other: Awaited<ReturnType<typeof userWithToken>>;
  const url = (path: string, auth?: string) => {
    const u = new URL(path, f.url);
    if (auth) [u.username, u.password] = auth.split(":");
    return u.toString();
  };

  /** The bare repository of one of gitowner's projects. */
  const repoDir = async (handle: string) => {
    const { id } = await f.forge.db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", handle)
      .executeTakeFirstOrThrow();
    return f.forge.repos.dir(id);
  };

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "gitowner");
    other = await userWithToken(f.url, "stranger");
    for (const [handle, visibility] of [
      ["pub", "public"],
      ["priv", "private"],
    ]) {
      expect(
        (await api(f.url, "POST", "/api/v1/projects", { token: owner.token, json: { handle, visibility } }))
          .status,
      ).toBe(201);
    }
    const src = join(work, "src");
    await run(work, "init", "-q", "-b", "main", src);
    for (let i = 1; i <= 5; i++) {
      writeFileSync(join(src, `file${i}.txt`), `content ${i}\n`);
      await run(src, "add", ".");
      await run(src, "commit", "-q", "-m", `commit ${i}`);
    }
    await run(src, "tag", "v1");
    await run(src, "tag", "-a", "v1-annotated", "-m", "annotated");
    await run(src, "checkout", "-q", "-b", "feature");
    writeFileSync(join(src, "feature.txt"), "feature\n");
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "feature work");
    await run(src, "checkout", "-q", "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("pushes every ref and clones them back identical", async () => {
    const src = join(work, "src");
    await run(src, "push", "-q", url("/gitowner/pub.git", `gitowner:${owner.token}`), "--all");
    await run(src, "push", "-q", url("/gitowner/pub.git", `gitowner:${owner.token}`), "--tags");
    const clone = join(work, "clone");
    await run(work, "clone", "-q", "--mirror", url("/gitowner/pub.git"), clone);
    expect(await refs(clone)).toBe(await refs(src));
    expect((await refs(clone)).split("\n")).toHaveLength(4);
  });

  it("clones without the .git suffix, with protocol v2 and v0", async () => {
    for (const [i, proto] of [
      ["0", "0"],
      ["2", "2"],
    ]) {
      const dir = join(work, `plain-${i}`);
      await run(work, "-c", `protocol.version=${proto}`, "clone", "-q", url("/gitowner/pub"), dir);
      expect(await run(dir, "rev-parse", "HEAD")).toBe(await run(join(work, "src"), "rev-parse", "main"));
    }
  });

  it("answers protocol v2's advertisement as git does, and anew when the repository's config changes", async () => {
    const dir = await repoDir("pub");
    const advert = async () => {
      const res = await fetch(url("/gitowner/pub.git/info/refs?service=git-upload-pack"), {
        headers: { "git-protocol": "version=2" },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
      return res.text();
    };
    const first = await advert();
    expect(first).toMatch(/^000eversion 2\n/);
    expect(await advert()).toBe(first);
    expect(first.trim()).toBe(await gitsAdvert(dir));
    expect(first).not.toMatch(/ref-in-want/);
    await run(dir, "config", "uploadpack.allowRefInWant", "true");
    const after = await advert();
    expect(after).toMatch(/fetch=.*ref-in-want/);
    expect(after.trim()).toBe(await gitsAdvert(dir));
    await run(dir, "config", "--unset", "uploadpack.allowRefInWant");
    expect(await advert()).toBe(first);
  });

  it("answers ls-refs itself (no upload-pack), as git would, and leaves hidden refs to git", async () => {
    const dir = await repoDir("pub");
    const started: string[] = [];
    const off = observeGit((e) => {
      if (e.phase === "start") started.push(e.args.join(" "));
    });
    const uploadPacks = () =>
      started.filter((a) => a.includes("upload-pack") && !a.includes("--advertise-refs")).length;
    try {
      const listed = await run(
        work,
        "-c",
        "protocol.version=2",
        "ls-remote",
        "--symref",
        url("/gitowner/pub.git"),
      );
      expect(listed).toBe(await run(work, "-c", "protocol.version=2", "ls-remote", "--symref", dir));
      expect(listed).toMatch(/^ref: refs\/heads\/main\tHEAD\n/);
      expect(listed).toMatch(/\trefs\/tags\/v1-annotated\^\{\}$/m);
      expect(uploadPacks()).toBe(0);
      // The same mirror clone as the first test's: its answer was kept then (fetch-cache.ts).
      const clone = join(work, "ls-refs-clone");
      await run(work, "-c", "protocol.version=2", "clone", "-q", "--mirror", url("/gitowner/pub.git"), clone);
      expect(await refs(clone)).toBe(await refs(dir));
      expect(uploadPacks()).toBe(0);
      // Configuration that changes the answer sends the command to git, which applies it.
      await run(dir, "config", "uploadpack.hideRefs", "refs/tags/");
      const hidden = await run(work, "-c", "protocol.version=2", "ls-remote", url("/gitowner/pub.git"));
      expect(hidden).not.toMatch(/refs\/tags\//);
      expect(hidden).toMatch(/\trefs\/heads\/main$/m);
      expect(uploadPacks()).toBe(1);
    } finally {
      off();
      await run(dir, "config", "--unset", "uploadpack.hideRefs").catch(() => {});
    }
  });

  it("makes shallow clones and incremental fetches", async () => {
    const shallow = join(work, "shallow");
    await run(work, "clone", "-q", "--depth", "1", url("/gitowner/pub.git"), shallow);
    expect(await run(shallow, "rev-list", "--count", "HEAD")).toBe("1");
    const src = join(work, "src");
    writeFileSync(join(src, "more.txt"), "more\n");
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "one more");
    await run(src, "push", "-q", url("/gitowner/pub.git", `gitowner:${owner.password}`), "main");
    await run(shallow, "fetch", "-q", "origin");
    expect(await run(shallow, "rev-parse", "origin/main")).toBe(await run(src, "rev-parse", "main"));
    await run(shallow, "fetch", "-q", "--unshallow", "origin");
    expect(await run(shallow, "rev-list", "--count", "origin/main")).toBe("6");
  });

  it("keeps private projects private over git", async () => {
    const src = join(work, "src");
    await run(src, "push", "-q", url("/gitowner/priv.git", `gitowner:${owner.token}`), "main");
    // Anonymous: 401 with a Basic challenge, for the private project and a missing one alike.
    for (const path of ["/gitowner/priv.git", "/gitowner/nothing-here.git"]) {
      const res = await fetch(url(`${path}/info/refs?service=git-upload-pack`));
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic/);
    }
    expect((await tryRun(work, "clone", "-q", url("/gitowner/priv.git"), join(work, "anon"))).ok).toBe(false);
    // A non-member's valid token: the project does not exist for them.
    const res = await fetch(url("/gitowner/priv.git/info/refs?service=git-upload-pack"), {
      headers: { authorization: `Basic ${Buffer.from(`stranger:${other.token}`).toString("base64")}` },
    });
    expect(res.status).toBe(404);
    const missing = await fetch(url("/gitowner/nothing-here.git/info/refs?service=git-upload-pack"), {
      headers: { authorization: `Basic ${Buffer.from(`stranger:${other.token}`).toString("base64")}` },
    });
    expect(await res.text()).toBe((await missing.text()).replace("nothing-here", "priv"));
    // Wrong credentials: 401 so git prompts.
    const wrong = await fetch(url("/gitowner/priv.git/info/refs?service=git-upload-pack"), {
      headers: { authorization: `Basic ${Buffer.from("gitowner:wrong").toString("base64")}` },
    });
    expect(wrong.status).toBe(401);
    // The owner's token clones.
    const dir = join(work, "priv-clone");
    await run(work, "clone", "-q", url("/gitowner/priv.git", `gitowner:${owner.token}`), dir);
    expect(await run(dir, "rev-parse", "HEAD")).toBe(await run(src, "rev-parse", "main"));
  });

  it("needs project:write to push", async () => {
    const ro = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["gitowner", owner.password],
      json: { name: "ro", scopes: ["project:read"] },
    });
    const src = join(work, "src");
    writeFileSync(join(src, "ro.txt"), "nope\n");
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "should not land");
    const before = await refs(join(work, "clone"));
    const push = await tryRun(
      src,
      "push",
      "-q",
      url("/gitowner/pub.git", `gitowner:${ro.body.token}`),
      "main",
    );
    expect(push.ok).toBe(false);
    expect(push.out).toMatch(/403/);
    const anonPush = await tryRun(src, "push", "-q", url("/gitowner/pub.git"), "main");
    expect(anonPush.ok).toBe(false);
    const strangerPush = await tryRun(
      src,
      "push",
      "-q",
      url("/gitowner/pub.git", `stranger:${other.token}`),
      "main",
    );
    expect(strangerPush.ok).toBe(false);
    const check = join(work, "check");
    await run(work, "clone", "-q", "--mirror", url("/gitowner/pub.git"), check);
    expect(await run(check, "rev-parse", "refs/heads/main")).not.toBe(await run(src, "rev-parse", "main"));
    expect(before).toBeTruthy();
  });

  it("creates the repository with the project and removes it with it", async () => {
    const p = await api(f.url, "POST", "/api/v1/projects", {
      token: owner.token,
      json: { handle: "shortlived" },
    });
    const dir = f.forge.repos.dir(p.body.id);
    expect(f.forge.repos.exists(p.body.id)).toBe(true);
    expect(await run(dir, "rev-parse", "--is-bare-repository")).toBe("true");
    expect(
      (await api(f.url, "DELETE", "/api/v1/projects/gitowner/shortlived", { token: owner.token })).status,
    ).toBe(204);
    expect(f.forge.repos.exists(p.body.id)).toBe(false);
  });
});
