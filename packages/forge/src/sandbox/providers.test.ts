// Both sandbox providers against the one provider suite; a provider this host cannot run
// (no /dev/kvm, no qemu, no guest kernel) is skipped with the reason.
import { sandboxProviderSuite } from "../testing/sandbox-suite.ts";
import { bwrapProvider } from "./bwrap-provider.ts";
import { microvmProvider } from "./microvm-provider.ts";

sandboxProviderSuite("bwrap", (baseDir, limits) => bwrapProvider({ baseDir, limits }), {
  reportsPidsLimit: true,
});

sandboxProviderSuite(
  "microvm",
  (baseDir, limits) =>
    microvmProvider({
      baseDir,
      limits,
      qemuPath: process.env.MICELIO_MICROVM_QEMU,
      kernel: process.env.MICELIO_MICROVM_KERNEL,
      initrd: process.env.MICELIO_MICROVM_INITRD,
    }),
  { reportsPidsLimit: false },
);
