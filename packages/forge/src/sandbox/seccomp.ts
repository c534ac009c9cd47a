// A classic-BPF seccomp filter for bwrap's --seccomp: system calls a build or test never
// needs and that widen the kernel's attack surface (mounts, namespaces, ptrace, keyrings,
// BPF, kernel modules, io_uring…) fail with EPERM. x86-64 only; other machines get none.

const AUDIT_ARCH_X86_64 = 0xc000003e;
const RET_ALLOW = 0x7fff0000;
const RET_EPERM = 0x00050000 | 1;
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;

/** x86-64 numbers of the denied calls, by name (for the tests and the ADR). */
export const DENIED_X86_64: Record<string, number> = {
  ptrace: 101,
  syslog: 103,
  vhangup: 153,
  pivot_root: 155,
  acct: 163,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  lookup_dcookie: 212,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  move_pages: 279,
  perf_event_open: 298,
  fanotify_init: 300,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
};

type Insn = [code: number, jt: number, jf: number, k: number];

/** The filter as bwrap reads it (struct sock_filter[]), or null off x86-64. */
export function seccompFilter(arch: string = process.arch): Buffer | null {
  if (arch !== "x64") return null;
  const nrs = Object.values(DENIED_X86_64);
  // Layout: 0 load arch; 1 arch check; 2 load nr; 3 x32 check; 4.. one jeq per call; allow; deny.
  const deny = 4 + nrs.length + 1;
  const prog: Insn[] = [
    [LD_W_ABS, 0, 0, 4],
    [JEQ_K, 0, deny - 2, AUDIT_ARCH_X86_64],
    [LD_W_ABS, 0, 0, 0],
    // The x32 ABI sets bit 30 of the number; its calls would bypass the list.
    [JGE_K, deny - 4, 0, 0x40000000],
    ...nrs.map((nr, i): Insn => [JEQ_K, deny - (4 + i) - 1, 0, nr]),
    [RET_K, 0, 0, RET_ALLOW],
    [RET_K, 0, 0, RET_EPERM],
  ];
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buf;
}
