// mic-fs with real NFS clients (libnfs-utils: nfs-ls, nfs-cat, nfs-cp; no kernel mount, no
// root): a project served at a position is listed and read through NFS v3, its small files
// prefetched when a directory is listed, blobs kept in the shared content cache; a file
// written with nfs-cp goes to the overlay, `mic land` in the mounted directory lands it and
// trunk has it.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { until } from "@micelio/forge/testing/eventually";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobId } from "../src/fs/cache.ts";
import { control } from "../src/fs/control.ts";
import { type MicFs, startMicFs } from "../src/fs/server.ts";
import { micRunner } from "./run-mic.ts";

const BIN = join(import.meta.dirname, "..", "bin", "mic.js");

const run = promisify(execFile);
const SLOW = 300_000;
const NFS_TOOLS =
  existsSync("/usr/bin/nfs-ls") && existsSync("/usr/bin/nfs-cat") && existsSync("/usr/bin/nfs-cp");
const b64 = (s: string) => Buffer.from(s).toString("base64");
const work = mkdtempSync(join(tmpdir(), "mic-nfs-"));

describe.skipIf(!NFS_TOOLS)("mic-fs with libnfs clients", () => {
  let f: TestForge;
  let token = "";
  let fs: MicFs;
  const nfs = (tool: string, ...args: string[]) =>
    run(`/usr/bin/${tool}`, args, { encoding: "buffer", timeout: 60_000, maxBuffer: 64 << 20 });
  const url = (path = "") => fs.url.replace("?", `${path}?`);

  beforeAll(async () => {
    process.env.MIC_CACHE_DIR = join(work, "cache");
    f = await startTestForge();
    token = (await userWithToken(f.url, "ana")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "lib" } });
    const base = "/api/v1/projects/ana/lib/sessions";
    const s = await api(f.url, "POST", base, { token, json: { goal: "Start the library" } });
    const files: Record<string, string> = {
      "README.md": "# lib\n",
      "src/a.ts": "export const a = 1;\n",
      "src/b.ts": "export const b = 2;\n",
      "bin/run.sh": "#!/bin/sh\necho run\n",
    };
    const changes = Object.entries(files).map(([path, text]) => ({
      path,
      content: b64(text),
      ...(path.endsWith(".sh") ? { mode: "100755" } : {}),
    }));
    expect(
      (await api(f.url, "PUT", `${base}/${s.body.id}/changes`, { token, json: { changes } })).status,
    ).toBe(200);
    expect((await api(f.url, "POST", `${base}/${s.body.id}/land`, { token })).status).toBe(200);
    fs = await startMicFs({
      conn: { server: f.url, token },
      project: { owner: "ana", project: "lib" },
      onError: (e) => console.error("mic-fs:", e),
    });
  }, SLOW);
  afterAll(async () => {
    await fs?.close();
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "lists directories and reads files",
    async () => {
      const root = (await nfs("nfs-ls", url())).stdout.toString();
      expect(root).toMatch(/README\.md/);
      expect(root).toMatch(/^d.*\bsrc$/m);
      expect(root).toMatch(/^-rwxr-xr-x.*\brun\.sh$|^d.*\bbin$/m);
      const src = (await nfs("nfs-ls", url("/src"))).stdout.toString();
      expect(src.match(/[ab]\.ts/g)?.sort()).toEqual(["a.ts", "b.ts"]);
      expect((await nfs("nfs-cat", url("/src/b.ts"))).stdout.toString()).toBe("export const b = 2;\n");
      expect((await nfs("nfs-cat", url("/bin/run.sh"))).stdout.toString()).toBe("#!/bin/sh\necho run\n");
      const bin = (await nfs("nfs-ls", url("/bin"))).stdout.toString();
      expect(bin).toMatch(/^-rwxr-xr-x.*run\.sh$/m);
      await expect(nfs("nfs-cat", url("/src/missing.ts"))).rejects.toThrow();
    },
    SLOW,
  );

  it(
    "refuses callers that are not the mount's user, and control requests without its secret",
    async () => {
      const other = (process.getuid?.() ?? 0) === 4242 ? 4243 : 4242;
      await expect(nfs("nfs-ls", `${url()}&uid=${other}`)).rejects.toThrow();
      await expect(
        control({ nfs_port: fs.nfsPort, secret: "not-it" }, { op: "status" }),
      ).rejects.toMatchObject({
        code: 2,
      });
      const record = JSON.parse(readFileSync(join(fs.stateDir, "mount.json"), "utf8"));
      expect(statSync(join(fs.stateDir, "mount.json")).mode & 0o077).toBe(0);
      expect(await control(record, { op: "status" })).toMatchObject({ project: "ana/lib", changes: [] });
    },
    SLOW,
  );

  it(
    "prefetches a listed directory's small files into the shared content cache",
    async () => {
      const a = blobId(Buffer.from("export const a = 1;\n"));
      // src/a.ts was never read, only listed (READDIRPLUS): its blob comes in the background.
      await until("the prefetched blob", () => fs.cache.has(a));
      expect(fs.fs.prefetches).toBeGreaterThan(0);
      const files = readdirSync(join(work, "cache", "objects", a.slice(0, 2)));
      expect(files).toContain(a.slice(2));
    },
    SLOW,
  );

  it(
    "reads a file changed on trunk after mic sync as a git delta from its cached earlier version",
    async () => {
      // A project of its own: the tests after this one count ana/lib's positions.
      await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "notes" } });
      const land = async (text: string) => {
        const base = "/api/v1/projects/ana/notes/sessions";
        const s = await api(f.url, "POST", base, { token, json: { goal: "Write the notes" } });
        const changes = [{ path: "docs/notes.md", content: b64(text) }];
        await api(f.url, "PUT", `${base}/${s.body.id}/changes`, { token, json: { changes } });
        expect((await api(f.url, "POST", `${base}/${s.body.id}/land`, { token })).status).toBe(200);
      };
      const v1 = Array.from({ length: 300 }, (_, i) => `note ${i}: something worth keeping\n`).join("");
      const v2 = v1.replace("note 150:", "note 150 (revised):");
      await land(v1);
      const m = await startMicFs({
        conn: { server: f.url, token },
        project: { owner: "ana", project: "notes" },
        onError: (e) => console.error("mic-fs:", e),
      });
      try {
        const cat = async () =>
          (await nfs("nfs-cat", m.url.replace("?", "/docs/notes.md?"))).stdout.toString();
        expect(await cat()).toBe(v1);
        await land(v2);
        const record = JSON.parse(readFileSync(join(m.stateDir, "mount.json"), "utf8"));
        expect(await control(record, { op: "sync" })).toMatchObject({ from_position: 1, position: 2 });
        const before = m.remote.received;
        expect(await cat()).toBe(v2);
        expect(m.remote.deltas).toBe(1);
        // The two listings on the way (root, docs/) came as deltas from the cached old ones too.
        expect(m.remote.treeDeltas).toBe(2);
        // Two small tree listings and a delta of a few dozen bytes, not the 10 KB file.
        expect(m.remote.received - before).toBeLessThan(v2.length / 10);
        expect(m.cache.has(blobId(Buffer.from(v2)))).toBe(true);
      } finally {
        await m.close();
      }
    },
    SLOW,
  );

  it(
    "writes a file with nfs-cp, lands it with mic land in the mount, and trunk has it",
    async () => {
      const dir = join(work, "mnt");
      mkdirSync(dir);
      const env = { ...process.env, MIC_SERVER: f.url, MIC_TOKEN: token, MIC_CONFIG_DIR: join(work, "cfg") };
      const server = spawn(
        process.execPath,
        [BIN, "--json", "mount", dir, "--project", "ana/lib", "--no-kernel-mount"],
        { env },
      );
      try {
        const started = await firstJson(server);
        expect(started.url).toMatch(/^nfs:\/\/127\.0\.0\.1\/ana\/lib\?nfsport=\d+&mountport=\d+&version=3$/);
        const local = join(work, "c.ts");
        writeFileSync(local, "export const c = 3;\n");
        await nfs("nfs-cp", local, started.url.replace("?", "/src/c.ts?"));
        expect((await nfs("nfs-cat", started.url.replace("?", "/src/c.ts?"))).stdout.toString()).toBe(
          "export const c = 3;\n",
        );
        // A file too large for a JSON upload lands too (sent as raw bytes, PUT …/file).
        const big = randomBytes(2 * 1024 * 1024 + 17);
        writeFileSync(join(work, "big.bin"), big);
        await nfs("nfs-cp", join(work, "big.bin"), started.url.replace("?", "/big.bin?"));
        const mic = micRunner(env);
        const status = JSON.parse((await mic(dir, "--json", "status")).stdout);
        expect(status.changes).toEqual([
          { path: "big.bin", status: "added" },
          { path: "src/c.ts", status: "added" },
        ]);
        const diff = JSON.parse((await mic(dir, "--json", "diff")).stdout).patch;
        expect(diff).toBe(
          "Binary files /dev/null and b/big.bin differ\n" +
            "--- /dev/null\n+++ b/src/c.ts\n@@ -0,0 +1 @@\n+export const c = 3;\n",
        );
        expect((await mic(dir, "land")).status).toBe(1); // a mount's landing needs its goal
        const landed = await mic(dir, "--json", "land", "--goal", "Add c");
        expect(landed.status, landed.stderr).toBe(0);
        expect(JSON.parse(landed.stdout)).toMatchObject({
          position: 2,
          goal: "Add c",
          changes: [
            { path: "big.bin", status: "added" },
            { path: "src/c.ts", status: "added" },
          ],
        });
        const onTrunk = await api(f.url, "GET", "/api/v1/projects/ana/lib/blob/main/src/c.ts", { token });
        expect(onTrunk.body.content).toBe("export const c = 3;\n");
        // The mount now stands on the landed position with an empty overlay.
        expect(JSON.parse((await mic(dir, "--json", "status")).stdout)).toMatchObject({
          base_position: 2,
          changes: [],
        });
        expect((await nfs("nfs-cat", started.url.replace("?", "/src/c.ts?"))).stdout.toString()).toBe(
          "export const c = 3;\n",
        );
        expect(
          Buffer.compare((await nfs("nfs-cat", started.url.replace("?", "/big.bin?"))).stdout, big),
        ).toBe(0);
        const down = await mic(work, "--json", "unmount", dir);
        expect(down.status, down.stderr).toBe(0);
        const code = server.exitCode ?? (await new Promise((r) => server.once("exit", r)));
        expect(code).toBe(0);
      } finally {
        server.kill();
      }
    },
    SLOW,
  );

  it(
    "mounts with the kernel's NFS client where the machine permits",
    async (ctx) => {
      const dir = join(work, "kernel");
      const env = { ...process.env, MIC_SERVER: f.url, MIC_TOKEN: token, MIC_CONFIG_DIR: join(work, "cfg") };
      const mic = micRunner(env);
      const r = await mic(work, "--json", "mount", dir, "--project", "ana/lib");
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      try {
        if (!doc.kernel_mount) {
          // Still served: the export works for a client that needs no root.
          expect((await nfs("nfs-cat", doc.url.replace("?", "/README.md?"))).stdout.toString()).toBe(
            "# lib\n",
          );
          ctx.skip(`kernel NFS mount not permitted on this machine: ${doc.kernel_mount_error}`);
        }
        expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("# lib\n");
        writeFileSync(join(dir, "NEW.md"), "new\n");
        expect(JSON.parse((await mic(dir, "--json", "status")).stdout).changes).toEqual([
          { path: "NEW.md", status: "added" },
        ]);
      } finally {
        expect((await mic(work, "--json", "unmount", dir)).status).toBe(0);
      }
    },
    SLOW,
  );
});

/** The first JSON document a child prints on stdout. */
function firstJson(child: ReturnType<typeof spawn>): Promise<{ url: string; nfs_port: number }> {
  return new Promise((ok, fail) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => {
      out += d;
      try {
        ok(JSON.parse(out));
      } catch {
        /* more to come */
      }
    });
    child.stderr!.on("data", (d) => (err += d));
    child.on("exit", (code) => fail(new Error(`mic mount exited ${code}: ${err}`)));
  });
}
