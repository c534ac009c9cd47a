// The push secret gate on a real forge: a push whose patch is larger than any buffer the scan
// once held (64 MiB) is scanned to its end, and a secret after the large file refuses it,
// naming file and line; the same push without the secret is accepted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS_EXAMPLE_KEY_ID } from "@micelio/core/secrets/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-secret-gate-"));

describe("push secret gate", () => {
  let f: TestForge;
  let remote: string;

  beforeAll(async () => {
    f = await startTestForge();
    const owner = await userWithToken(f.url, "gatekeeper");
    const made = await api(f.url, "POST", "/api/v1/projects", {
      token: owner.token,
      json: { handle: "big", visibility: "private" },
    });
    expect(made.status).toBe(201);
    const u = new URL("/gatekeeper/big.git", f.url);
    [u.username, u.password] = ["gatekeeper", owner.token];
    remote = u.toString();
  });
  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("scans a push larger than 64 MiB of patch to its end", async () => {
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    // 66 MiB of added lines in one file, sorted before the file with the secret.
    const line = "a line of a large generated file, long enough to add up quickly: 0123456789\n";
    const big = Buffer.from(line.repeat(Math.ceil((66 * 1024 * 1024) / line.length)));
    writeFileSync(join(src, "a-big.txt"), big);
    writeFileSync(join(src, "z-config.env"), `one=1\ntwo=2\naws_key = "${AWS_EXAMPLE_KEY_ID}"\n`);
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "large");
    const refused = await tryGit(src, "push", "-q", remote, "main");
    expect(refused.ok).toBe(false);
    expect(refused.out).toContain("push refused, it adds what looks like a secret");
    expect(refused.out).toMatch(/z-config\.env:3: AWS access key id/);
    expect((await tryGit(src, "ls-remote", "--heads", remote)).out).not.toContain("refs/heads/main");

    writeFileSync(join(src, "z-config.env"), "one=1\ntwo=2\n");
    await runGit(src, "commit", "-q", "-a", "--amend", "-m", "large, clean");
    const accepted = await tryGit(src, "push", "-q", remote, "main");
    expect(accepted).toMatchObject({ ok: true });
  }, 240_000);
});
