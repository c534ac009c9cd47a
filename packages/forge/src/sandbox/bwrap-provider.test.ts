// What only the bubblewrap provider promises beyond the shared suite: the seccomp filter
// denies calls the host allows, the step runs as an unprivileged user seeing only its own
// processes, and no control group or run directory outlives the run.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bwrapProvider } from "./bwrap-provider.ts";
import { detectCgroups } from "./cgroup.ts";

const limits = {
  wallMs: 30_000,
  memoryBytes: 128 * 2 ** 20,
  cpus: 1,
  pids: 32,
  diskBytes: 16 * 2 ** 20,
  outputBytes: 65536,
};
const root = await mkdtemp(join(tmpdir(), "micelio-bwrap-"));
const provider = bwrapProvider({ baseDir: join(root, "runs"), limits });
const availability = await provider.availability();
afterAll(() => rm(root, { recursive: true, force: true }));

async function stepGroups(prefix = `micelio-step-${process.pid}-`): Promise<string[]> {
  const mounts = await readFile("/proc/self/mounts", "utf8");
  const dirs = mounts
    .split("\n")
    .filter((l) => / cgroup2? /.test(l))
    .map((l) => l.split(" ")[1]);
  const own = (await readFile("/proc/self/cgroup", "utf8")).split("\n").map((l) => l.split(":")[2] ?? "");
  const found: string[] = [];
  for (const d of dirs) {
    for (const sub of new Set(["/", ...own])) {
      for (const name of await readdir(join(d, sub)).catch(() => [] as string[])) {
        if (name.startsWith(prefix)) found.push(join(d, sub, name));
      }
    }
  }
  return found;
}

describe.skipIf(!availability.available)(`bwrap provider (${availability.reason})`, () => {
  it("denies system calls through its seccomp filter that the host allows", async () => {
    // keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING) and io_uring_setup(1, NULL).
    const perl = (nr: number, ...a: number[]) =>
      `perl -e 'syscall(${[nr, ...a].join(",")}); print $!+0, "\\n"'`;
    const r = await provider.run({
      source: async () => {},
      continueOnFailure: true,
      steps: [
        { name: "keyctl", run: perl(250, 0, -3, 0) },
        { name: "io_uring", run: perl(425, 1, 0) },
        { name: "unshare", run: "unshare -r true" },
      ],
    });
    expect(r.steps[0].stdout.text).toBe("1\n");
    expect(r.steps[1].stdout.text).toBe("1\n");
    expect(r.steps[2].exitCode).not.toBe(0);
  });

  it("runs as an unprivileged user that sees only the sandbox's processes", async () => {
    const r = await provider.run({
      source: async () => {},
      steps: [{ name: "who", run: "id -u; ls /proc | grep -c '^[0-9]'" }],
    });
    const [uid, count] = r.steps[0].stdout.text.trim().split("\n");
    expect(uid).toBe("1000");
    expect(Number(count)).toBeLessThan(10);
  });

  it("reports usage and removes its control groups and run directory", async () => {
    const r = await provider.run({
      source: async () => {},
      steps: [{ name: "work", run: "head -c 20000000 /dev/urandom | md5sum" }],
    });
    expect(r.steps[0].ok).toBe(true);
    expect(r.steps[0].cpuMs).toBeGreaterThan(0);
    expect(r.steps[0].peakMemoryBytes).toBeGreaterThan(0);
    expect(await stepGroups()).toEqual([]);
    expect(await readdir(join(root, "runs"))).toEqual([]);
  });

  it("sweeps control groups and run directories left by a process that is gone", async () => {
    const cgroups = await detectCgroups();
    if (typeof cgroups === "string") throw new Error(cgroups);
    await cgroups.create("micelio-step-999999999-1-1", { memoryBytes: 2 ** 26, pids: 8, cpus: 1 });
    const stale = join(root, "runs", "run-999999999-abc");
    await mkdir(join(stale, "work"), { recursive: true });
    await writeFile(join(stale, "work", "f"), "x");
    const mine = join(root, "runs", `run-${process.pid}-live`);
    await mkdir(mine);
    const left = async () => (await stepGroups("micelio-step-999999999-")).length;
    expect(await left()).toBeGreaterThan(0);
    expect(await provider.sweep()).toBe(2);
    expect(await left()).toBe(0);
    expect(await readdir(join(root, "runs"))).toEqual([`run-${process.pid}-live`]);
    await rm(mine, { recursive: true });
  });
});
