// The provider test suite every sandbox provider must pass: real commands, the isolation
// promises (data, other projects, network, host files) and the limits (time, processes,
// memory), and teardown that leaves neither processes nor directories, even on abort.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxLimits, SandboxProvider, SandboxRunSpec } from "../sandbox/types.ts";

export interface SuiteOptions {
  /** Whether the provider can tell that a step hit its process limit. */
  reportsPidsLimit: boolean;
}

const LIMITS: SandboxLimits = {
  wallMs: 60_000,
  memoryBytes: 160 * 2 ** 20,
  cpus: 1,
  pids: 48,
  diskBytes: 32 * 2 ** 20,
  outputBytes: 64 * 1024,
};

const listen = (server: Server | ReturnType<typeof createHttpServer>) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );

/** Host processes whose command line contains `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes(marker)) out.push(Number(pid));
  }
  return out;
}

export function sandboxProviderSuite(
  label: string,
  make: (baseDir: string, limits: SandboxLimits) => SandboxProvider,
  options: SuiteOptions,
): void {
  describe(`sandbox provider: ${label}`, async () => {
    const availability = await make(tmpdir(), LIMITS).availability();
    if (!availability.available) {
      console.warn(`sandbox provider ${label} skipped: ${availability.reason}`);
      it.skip(`${label} is unavailable here: ${availability.reason}`, () => {});
      return;
    }
    const root = await mkdtemp(join(tmpdir(), "micelio-sandbox-suite-"));
    const baseDir = join(root, "runs");
    const provider = make(baseDir, LIMITS);
    const source = join(root, "source");
    const dataDir = join(root, "data");
    const otherProject = join(root, "other-project");
    const run = (spec: Omit<SandboxRunSpec, "source"> & { source?: SandboxRunSpec["source"] }) =>
      provider.run({ source, ...spec });

    beforeAll(async () => {
      await mkdir(source, { recursive: true });
      await writeFile(join(source, "greeting.txt"), "hello\n");
      await mkdir(dataDir);
      await writeFile(join(dataDir, "secret.key"), "forge-secret-7f3a\n");
      await mkdir(otherProject);
      await writeFile(join(otherProject, "README"), "other-project-9c1d\n");
    });
    afterAll(() => rm(root, { recursive: true, force: true }));

    it("runs a passing and a failing command, captures their logs, and skips what follows", async () => {
      const streamed: string[] = [];
      const r = await run({
        steps: [
          { name: "pass", run: 'test "$(cat greeting.txt)" = hello && echo tests passed' },
          { name: "fail", run: "echo 'expected 2, got 3' >&2; exit 3" },
          { name: "after", run: "echo never" },
        ],
        onOutput: (step, stream, chunk) => streamed.push(`${step}:${stream}:${chunk.toString()}`),
      });
      expect(r.ok).toBe(false);
      const [pass, fail, after] = r.steps;
      expect(pass).toMatchObject({ exitCode: 0, ok: true, killed: null });
      expect(pass.stdout.text).toBe("tests passed\n");
      expect(fail).toMatchObject({ exitCode: 3, ok: false, killed: null });
      expect(fail.stderr.text).toBe("expected 2, got 3\n");
      expect(after).toMatchObject({ skipped: true, ok: false });
      expect(streamed.join("")).toContain("pass:stdout:tests passed");
      expect(await readdir(baseDir)).toEqual([]);
    });

    it("caps the output it keeps and counts the rest", async () => {
      const r = await run({
        steps: [
          { name: "noisy", run: "head -c 200000 /dev/zero | tr '\\0' x", limits: { outputBytes: 1000 } },
        ],
      });
      expect(r.steps[0].stdout).toMatchObject({ bytes: 200_000, truncated: true });
      expect(r.steps[0].stdout.text).toBe("x".repeat(1000));
    });

    it("works on a fresh copy: the source on the host is not changed", async () => {
      const r = await run({
        steps: [{ name: "edit", run: "echo changed > greeting.txt && cat greeting.txt" }],
      });
      expect(r.steps[0].stdout.text).toBe("changed\n");
      expect(await readFile(join(source, "greeting.txt"), "utf8")).toBe("hello\n");
      const written = await run({
        source: async (dir) => writeFile(join(dir, "made.txt"), "written by the caller\n"),
        steps: [{ name: "read", run: "cat made.txt" }],
      });
      expect(written.steps[0].stdout.text).toBe("written by the caller\n");
    });

    it("cannot read the forge's data directory, another project, /work or /root", async () => {
      const r = await run({
        continueOnFailure: true,
        steps: [
          { name: "data", run: `cat ${join(dataDir, "secret.key")}` },
          { name: "other", run: `cat ${join(otherProject, "README")}` },
          { name: "work", run: "ls /work" },
          { name: "root", run: "ls /root" },
          { name: "cwd", run: `ls ${process.cwd()}` },
        ],
      });
      for (const s of r.steps) {
        expect(s.exitCode, s.name).not.toBe(0);
        expect(s.stdout.text).not.toMatch(/forge-secret|other-project-9c1d/);
      }
    });

    it("has no network unless allowed: a listener on the host's loopback is unreachable", async () => {
      let connections = 0;
      const server = createServer((s) => {
        connections++;
        s.end();
      });
      const port = await listen(server);
      const connect = `node -e "require('net').connect(${port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',e=>{console.error(e.code);process.exit(9)})"`;
      try {
        const closed = await run({ steps: [{ name: "net", run: connect }] });
        expect(closed.steps[0].exitCode).toBe(9);
        expect(connections).toBe(0);
        const open = await run({ allowNetwork: true, steps: [{ name: "net", run: connect }] });
        expect(open.steps[0].exitCode).toBe(0);
        expect(connections).toBe(1);
      } finally {
        server.close();
      }
    });

    it("writes outside the work directory do not reach the host", async () => {
      const marker = `micelio-sandbox-escape-${process.pid}-${Date.now()}`;
      const r = await run({
        steps: [
          {
            name: "escape",
            run: `echo x > /tmp/${marker}; echo x > /usr/${marker}; echo x > /${marker}; echo x > ${join(root, marker)}; true`,
          },
        ],
      });
      expect(r.steps[0].exitCode).toBe(0);
      for (const dir of [tmpdir(), "/usr", "/", root]) {
        expect(await readdir(dir), dir).not.toContain(marker);
      }
    });

    it("kills an infinite loop at the time limit", async () => {
      const r = await run({
        steps: [{ name: "loop", run: "while :; do :; done", limits: { wallMs: 1500 } }],
      });
      expect(r.steps[0]).toMatchObject({ ok: false, killed: "timeout", exitCode: null });
    });

    it("contains a fork bomb while the forge's own process stays responsive", async () => {
      const http = createHttpServer((_req, res) => res.end("still here"));
      const port = await listen(http);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 50);
      let answer = "";
      const probe = new Promise<void>((resolve) =>
        setTimeout(async () => {
          answer = await fetch(`http://127.0.0.1:${port}/`).then((res) => res.text());
          resolve();
        }, 1000),
      );
      try {
        const r = await run({
          steps: [
            { name: "bomb", run: "bomb() { bomb | bomb & }; bomb; sleep 60", limits: { wallMs: 4000 } },
          ],
        });
        await probe;
        // Ended by its time limit, or sooner when the process cap left its shell unable to
        // start `sleep` (sh exits 2): either way contained, never done.
        expect(r.steps[0]!.ok).toBe(false);
        if (options.reportsPidsLimit) expect(r.steps[0]!.pidsLimitHit).toBe(true);
        else expect(r.steps[0]!.killed).toBe("timeout");
        expect(answer).toBe("still here");
        expect(ticks).toBeGreaterThan(0);
      } finally {
        clearInterval(timer);
        http.close();
      }
    });

    it("kills a memory hog at the memory limit", async () => {
      const r = await run({
        steps: [{ name: "hog", run: "node -e 'const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'" }],
      });
      expect(r.steps[0]).toMatchObject({ ok: false, killed: "memory" });
    });

    it("tears down on abort: no process and no directory is left", async () => {
      const marker = `sleeper${process.pid}x${Date.now()}`;
      const controller = new AbortController();
      const r = await run({
        signal: controller.signal,
        steps: [
          {
            name: "daemons",
            run: `cp /bin/sleep ./${marker} && (./${marker} 1000 &) && ./${marker} 1000 & ./${marker} 1000 & echo started; wait`,
          },
          { name: "next", run: "echo never" },
        ],
        onOutput: (_step, _stream, chunk) => {
          if (chunk.toString().includes("started")) setTimeout(() => controller.abort(), 200);
        },
      });
      expect(r.steps[0]).toMatchObject({ ok: false, killed: "aborted" });
      expect(r.steps[1]).toMatchObject({ skipped: true });
      expect(await processesWith(marker)).toEqual([]);
      expect(await readdir(baseDir)).toEqual([]);
    });
  });
}
