// qemu's arguments for a step: no network device unless allowed, the VM sized by the limits,
// and only the toolchain, the work directory and the control directory shared.
import { describe, expect, it } from "vitest";
import { type MicrovmStepOptions, microvmArgs } from "./microvm-args.ts";

const o: MicrovmStepOptions = {
  kernel: "/boot/vmlinuz",
  initrd: "/boot/micelio-initrd.img",
  work: "/tmp/sb/run-1/work",
  ctl: "/tmp/sb/run-1/ctl-1",
  memoryBytes: 512 * 2 ** 20,
  cpus: 1.5,
  pids: 64,
  allowNetwork: false,
  stdoutPath: "/tmp/sb/run-1/stdout-1",
  stderrPath: "/tmp/sb/run-1/stderr-1",
};

describe("microvmArgs", () => {
  it("has no network device by default and a user-mode NIC when allowed", () => {
    expect(microvmArgs(o).join(" ")).not.toMatch(/netdev|virtio-net/);
    expect(microvmArgs({ ...o, allowNetwork: true })).toEqual(
      expect.arrayContaining(["-netdev", "user,id=n0"]),
    );
  });

  it("sizes the VM from the limits and passes the process cap to the guest", () => {
    const a = microvmArgs(o);
    expect(a[a.indexOf("-m") + 1]).toBe("512M");
    expect(a[a.indexOf("-smp") + 1]).toBe("2");
    expect(a[a.indexOf("-append") + 1]).toContain("micelio.pids=64");
    expect(a).toEqual(expect.arrayContaining(["-enable-kvm", "-nodefaults", "-no-reboot"]));
  });

  it("shares /usr read-only and the run's directories, nothing else", () => {
    const shares = microvmArgs(o).filter((x) => x.startsWith("local,"));
    expect(shares).toEqual([
      "local,id=usr,path=/usr,security_model=none,readonly=on",
      `local,id=work,path=${o.work},security_model=none`,
      `local,id=ctl,path=${o.ctl},security_model=none`,
    ]);
  });

  it("refuses paths qemu's option syntax would misread", () => {
    expect(() => microvmArgs({ ...o, work: "/tmp/a,readonly=off" })).toThrow(/unsupported path/);
    expect(() => microvmArgs({ ...o, kernel: "relative/vmlinuz" })).toThrow(/unsupported path/);
  });
});
