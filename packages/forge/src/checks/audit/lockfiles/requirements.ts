// requirements.txt pinned with `==` (as pip-compile and `pip freeze` write it): `name==1.2.3`,
// with optional extras (`name[extra]==…`), environment markers (`; python_version…`), hashes
// and comments. Lines that pin nothing exactly (>=, ranges, URLs, -r includes) are not locks
// and are skipped; names are PEP 503-normalised.
import { packageKey } from "../osv.ts";
import { Locked, type LockedPackage } from "./locked.ts";

const PIN = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([0-9][A-Za-z0-9.!+_-]*)\s*(?:;.*)?$/;

export function parseRequirements(text: string): { packages: LockedPackage[]; truncated: boolean } {
  const out = new Locked("PyPI");
  for (const raw of text.split(/\r?\n/)) {
    const line = raw
      .replace(/(^|\s)#.*$/, "")
      .replace(/\s--hash=\S+/g, "")
      .replace(/\\$/, "")
      .trim();
    const m = PIN.exec(line);
    if (m) out.add(packageKey("PyPI", m[1]!), m[2]);
  }
  return { packages: out.packages, truncated: out.truncated };
}
