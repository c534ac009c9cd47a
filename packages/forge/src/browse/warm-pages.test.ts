// Pages from memory: once viewed, the tree, blob, blame, commit and session pages and their
// JSON start no git process (counted through observeGit, which sees every git the forge
// starts, the layer's long-lived ones included). The caches sit behind the access check: a
// private project's warm pages stay 404 to others. And they follow writes: a landing and a
// push show up on the next view.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { observeGit } from "../repos/git.ts";
import { sessionApi } from "../sessions/session-pages-fixture.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "./test-repo.ts";

describe("warm pages", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-warm-"));
  let f: TestForge;
  let ada: Awaited<ReturnType<typeof userWithToken>>;
  let eve: Awaited<ReturnType<typeof userWithToken>>;
  const pages: Record<"demo" | "secret", string[]> = { demo: [], secret: [] };

  const get = async (path: string, token?: string) => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, text: await res.text() };
  };

  /** Git processes started while `fn` runs. */
  const gitStarts = async (fn: () => Promise<void>) => {
    const seen: string[] = [];
    const off = observeGit((e) => {
      if (e.phase === "start") seen.push(e.args.join(" "));
    });
    try {
      await fn();
    } finally {
      off();
    }
    return seen;
  };

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    eve = await userWithToken(f.url, "eve");
    for (const [handle, visibility] of [
      ["demo", "public"],
      ["secret", "private"],
    ] as const) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: ada.token,
        json: { handle, visibility },
      });
      expect(r.status).toBe(201);
      const s = sessionApi(f.url, ada.token, "ada", handle);
      const body = Array.from({ length: 200 }, (_, i) => `export const v${i} = ${i}; // ${handle}`).join(
        "\n",
      );
      const landed = await s.open("Add the code");
      await s.change(landed.id, { "src/code.ts": `${body}\n`, "README.md": `# ${handle}\n` });
      expect((await s.land(landed.id)).status).toBe(200);
      const open = await s.open("Change the code");
      await s.change(open.id, { "src/code.ts": `${body}\nexport const more = 1;\n` });
      const refs = await api(f.url, "GET", `/api/v1/projects/ada/${handle}/refs`, { token: ada.token });
      const head = refs.body.branches[0].commit as string;
      const P = `/ada/${handle}`;
      const A = `/api/v1/projects/ada/${handle}`;
      pages[handle] = [
        P,
        `${P}/tree/main/src`,
        `${P}/blob/main/src/code.ts`,
        `${P}/blame/main/src/code.ts`,
        `${P}/commit/${head}`,
        `${P}/sessions/${landed.id}`,
        `${P}/sessions/${open.id}`,
        `${A}/tree/main/src`,
        `${A}/blob/main/src/code.ts`,
        `${A}/blame/main/src/code.ts`,
        `${A}/commits/${head}`,
        `${A}/refs`,
      ];
    }
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("starts no git process for a page already viewed", async () => {
    for (const path of [...pages.demo, ...pages.secret])
      expect([path, (await get(path, ada.token)).status]).toEqual([path, 200]);
    const started = await gitStarts(async () => {
      for (const path of [...pages.demo, ...pages.secret]) {
        const page = await get(path, ada.token);
        expect([path, page.status]).toEqual([path, 200]);
      }
    });
    expect(started).toEqual([]);
  });

  it("keeps a private project's warm pages from everyone else", async () => {
    for (const path of pages.secret) {
      expect([path, (await get(path, ada.token)).status]).toEqual([path, 200]);
      for (const token of [undefined, eve.token]) {
        const page = await get(path, token);
        expect([path, page.status]).toEqual([path, 404]);
        expect(page.text).not.toContain("secret; //");
      }
    }
  });

  it("shows a landing and a push on the next view", async () => {
    expect((await get("/ada/demo/tree/main/src", ada.token)).text).not.toContain("later.ts");
    const s = sessionApi(f.url, ada.token, "ada", "demo");
    const later = await s.open("Later");
    await s.change(later.id, { "src/later.ts": "export const later = 1;\n" });
    expect((await s.land(later.id)).status).toBe(200);
    const tree = await get("/ada/demo/tree/main/src", ada.token);
    expect(tree.text).toContain("later.ts");
    expect(tree.text).toContain("Later");

    const clone = join(work, "clone");
    const url = new URL("/ada/demo.git", f.url);
    [url.username, url.password] = ["ada", ada.token];
    await runGit(work, "clone", "-q", url.toString(), clone);
    await runGit(clone, "checkout", "-q", "-b", "pushed/branch");
    writeFileSync(join(clone, "pushed.txt"), "pushed\n");
    await runGit(clone, "add", "-A");
    await runGit(clone, "commit", "-q", "-m", "Pushed work");
    await runGit(clone, "push", "-q", "origin", "pushed/branch");
    expect((await get("/ada/demo/branches", ada.token)).text).toContain("pushed/branch");
    expect((await get("/ada/demo/blob/pushed/branch/pushed.txt", ada.token)).status).toBe(200);
  });
});
