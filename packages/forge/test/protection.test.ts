import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../src/testing/client.ts";
import { startTestForge, type TestForge } from "../src/testing/forge.ts";
import { runGit, tryGit } from "../src/testing/git.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-protect-"));
const run = runGit;
const tryRun = tryGit;
// AWS's documented example credentials, assembled so this file itself holds no key.
const AWS_KEY = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
const AWS_SECRET = ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/");
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("secret scanning and branch protection", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let dev: Awaited<ReturnType<typeof userWithToken>>;
  let remote: (who: { handle: string; token: string }) => string;
  const p = "/api/v1/projects/acme/app";

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "owner");
    dev = await userWithToken(f.url, "dev");
    await api(f.url, "POST", "/api/v1/orgs", { token: owner.token, json: { handle: "acme" } });
    await api(f.url, "PUT", "/api/v1/orgs/acme/members/dev", {
      token: owner.token,
      json: { role: "member" },
    });
    await api(f.url, "POST", "/api/v1/projects", {
      token: owner.token,
      json: { handle: "app", owner: "acme" },
    });
    remote = (who) => `${f.url.replace("http://", `http://${who.handle}:${who.token}@`)}/acme/app.git`;
    const src = join(work, "src");
    await run(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "README.md"), "hello\n");
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "init");
    await run(src, "push", "-q", remote(owner), "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("refuses a push that adds an AWS key, names file and line, never the secret, and lands nothing", async () => {
    const src = join(work, "src");
    writeFileSync(
      join(src, "config.env"),
      `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${AWS_KEY}\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`,
    );
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "add config");
    const push = await tryRun(src, "push", remote(owner), "main");
    expect(push.ok).toBe(false);
    expect(push.out).toContain("config.env:2");
    expect(push.out).not.toContain(AWS_KEY);
    expect(push.out).not.toContain(AWS_SECRET);
    const trunk = await run(work, "ls-remote", remote(owner), "refs/heads/main");
    expect(trunk.split("\t")[0]).toBe(await run(src, "rev-parse", "HEAD~1"));
    expect((await api(f.url, "GET", `${p}/landings`)).body).toHaveLength(1);
    await run(src, "reset", "-q", "--hard", "HEAD~1");
  });

  it("refuses a landing that adds an AWS key", async () => {
    const s = (await api(f.url, "POST", `${p}/sessions`, { token: dev.token, json: { goal: "leak" } })).body;
    await api(f.url, "PUT", `${p}/sessions/${s.id}/changes`, {
      token: dev.token,
      json: { changes: [{ path: "src/aws.ts", content: b64(`export const key = "${AWS_KEY}";\n`) }] },
    });
    const r = await api(f.url, "POST", `${p}/sessions/${s.id}/land`, { token: dev.token });
    expect(r.status).toBe(400);
    expect(r.body.secrets[0]).toMatchObject({ path: "src/aws.ts", line: 1 });
    expect(JSON.stringify(r.body)).not.toContain(AWS_KEY);
    expect((await api(f.url, "GET", `${p}/sessions/${s.id}`)).body.status).toBe("open");
    expect((await api(f.url, "GET", `${p}/landings`)).body).toHaveLength(1);
  });

  it("protects trunk: sessions only, administrators land, reviews required", async () => {
    const set = await api(f.url, "PATCH", p, {
      token: owner.token,
      json: { trunk_push: "sessions_only", land_role: "admin", require_review: true },
    });
    expect(set.status).toBe(200);
    expect(set.body.protection).toEqual({
      trunk_push: "sessions_only",
      land_role: "admin",
      require_review: true,
    });
    expect((await api(f.url, "PATCH", p, { token: dev.token, json: { trunk_push: "allowed" } })).status).toBe(
      403,
    );
    // Direct pushes to main are refused; pushes to a session ref still work.
    const src = join(work, "src");
    writeFileSync(join(src, "direct.txt"), "direct\n");
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "direct");
    const push = await tryRun(src, "push", remote(owner), "main");
    expect(push.ok).toBe(false);
    expect(push.out).toContain("protected");
    const s = (
      await api(f.url, "POST", `${p}/sessions`, { token: dev.token, json: { goal: "Add direct.txt" } })
    ).body;
    await run(src, "push", "-q", remote(dev), `HEAD:refs/sessions/${s.id}`);
    // A member may not land; the owner may, once a reviewer other than the author approved.
    expect((await api(f.url, "POST", `${p}/sessions/${s.id}/land`, { token: dev.token })).status).toBe(403);
    const unreviewed = await api(f.url, "POST", `${p}/sessions/${s.id}/land`, { token: owner.token });
    expect(unreviewed.status).toBe(409);
    expect(unreviewed.body.detail).toMatch(/review/i);
    expect((await api(f.url, "POST", `${p}/sessions/${s.id}/approve`, { token: dev.token })).status).toBe(
      403,
    );
    const approved = await api(f.url, "POST", `${p}/sessions/${s.id}/approve`, { token: owner.token });
    expect(approved.body.approved_by).toBe("owner");
    const landed = await api(f.url, "POST", `${p}/sessions/${s.id}/land`, { token: owner.token });
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    expect(landed.body.position).toBe(2);
  });
});
