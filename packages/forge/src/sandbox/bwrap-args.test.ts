// bwrap's arguments: the user's command is only ever the last argument of /bin/sh -c, the
// network is unshared unless allowed, and nothing but the toolchain and the work directory
// is mounted from the host.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BwrapStepOptions, bwrapArgs, ETC_ENTRIES, hostRootEntries } from "./bwrap-args.ts";

const base = async (): Promise<BwrapStepOptions> => ({
  roots: await hostRootEntries(),
  work: "/tmp/sb/run-1/work",
  passwd: "/tmp/sb/run-1/passwd",
  group: "/tmp/sb/run-1/group",
  allowNetwork: false,
  tmpBytes: 1 << 20,
  env: {},
  run: "npm test",
});

/** Host paths mounted into the sandbox (sources of every bind). */
function boundSources(args: string[]): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (/^--(ro-)?bind(-try)?$/.test(a)) out.push(args[i + 1]);
  });
  return out;
}

describe("bwrapArgs", () => {
  it("ends with /bin/sh -c and the command, whatever the command and environment hold", async () => {
    const o = await base();
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string({ minLength: 1 }), fc.string()),
        fc.boolean(),
        (run, env, net) => {
          const args = bwrapArgs({ ...o, run, env, allowNetwork: net });
          expect(args.slice(-4)).toEqual(["--", "/bin/sh", "-c", run]);
          expect(args.indexOf("--")).toBe(args.length - 4);
          expect(args.includes("--share-net")).toBe(net);
          expect(args).toContain("--unshare-all");
        },
      ),
    );
  });

  it("mounts only the toolchain, selected /etc entries and the run's own files", async () => {
    const o = await base();
    const allowed = new Set([
      "/usr",
      "/bin",
      "/sbin",
      "/lib",
      "/lib32",
      "/lib64",
      "/libx32",
      o.work,
      o.passwd,
      o.group,
    ]);
    for (const name of ETC_ENTRIES) allowed.add(`/etc/${name}`);
    allowed.add("/etc/resolv.conf");
    for (const net of [false, true]) {
      for (const src of boundSources(bwrapArgs({ ...o, allowNetwork: net })))
        expect(allowed, src).toContain(src);
    }
    const args = bwrapArgs(o);
    expect(args.join(" ")).not.toMatch(/ \/(work|root|home|var|srv|opt)\b/);
    expect(args).toEqual(expect.arrayContaining(["--bind", o.work, "/workspace"]));
  });
});
