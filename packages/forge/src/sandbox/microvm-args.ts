// qemu's argument array for one step in a KVM microVM (`-M microvm`): no devices but the
// console, three virtio-9p shares (the toolchain read-only, the work directory, a control
// directory), the step's output on two virtio consoles, and a NIC only when allowed.

export interface MicrovmStepOptions {
  kernel: string;
  initrd: string;
  /** Host paths of the run's work directory and of the step's control directory. */
  work: string;
  ctl: string;
  memoryBytes: number;
  cpus: number;
  pids: number;
  allowNetwork: boolean;
  /** Where the guest's stdout and stderr consoles are written on the host. */
  stdoutPath: string;
  stderrPath: string;
}

const share = (id: string, path: string, readonly: boolean) => [
  "-fsdev",
  `local,id=${id},path=${path},security_model=none${readonly ? ",readonly=on" : ""}`,
  "-device",
  `virtio-9p-device,fsdev=${id},mount_tag=${id}`,
];

/** Commas in qemu option values are doubled; anything else is refused (paths are ours). */
function safePath(p: string): string {
  if (!/^\/[A-Za-z0-9._/+-]*$/.test(p)) throw new Error(`unsupported path for qemu: ${p}`);
  return p;
}

export function microvmArgs(o: MicrovmStepOptions): string[] {
  const mib = Math.max(64, Math.floor(o.memoryBytes / 2 ** 20));
  const smp = Math.max(1, Math.ceil(o.cpus));
  const a = [
    "-M",
    "microvm,x-option-roms=off,isa-serial=on,rtc=on",
    "-enable-kvm",
    "-cpu",
    "host",
    "-m",
    `${mib}M`,
    "-smp",
    String(smp),
    "-nodefaults",
    "-no-user-config",
    "-nographic",
    "-no-reboot",
    "-kernel",
    safePath(o.kernel),
    "-initrd",
    safePath(o.initrd),
    "-append",
    `console=ttyS0 quiet panic=-1 micelio.pids=${Math.floor(o.pids)}`,
    "-chardev",
    "stdio,id=con,signal=off",
    "-serial",
    "chardev:con",
    ...share("usr", "/usr", true),
    ...share("work", safePath(o.work), false),
    ...share("ctl", safePath(o.ctl), false),
    "-device",
    "virtio-serial-device",
    "-chardev",
    `file,id=so,path=${safePath(o.stdoutPath)}`,
    "-device",
    "virtconsole,chardev=so",
    "-chardev",
    `file,id=se,path=${safePath(o.stderrPath)}`,
    "-device",
    "virtconsole,chardev=se",
  ];
  if (o.allowNetwork) a.push("-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0");
  return a;
}
