// Gemfile.lock: in the GEM section's `specs:`, each gem is a 4-space-indented
// `name (version)` line (its dependencies are indented deeper); a platform suffix
// (`1.15.4-x86_64-linux`) is dropped. GIT and PATH sections are not rubygems.org's.
import { Locked, type LockedPackage } from "./locked.ts";

export function parseGemfileLock(text: string): { packages: LockedPackage[]; truncated: boolean } {
  const out = new Locked("RubyGems");
  let section = "";
  let inSpecs = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      section = line.trim();
      inSpecs = false;
      continue;
    }
    if (/^ {2}specs:\s*$/.test(line)) {
      inSpecs = true;
      continue;
    }
    if (/^ {2}\S/.test(line)) inSpecs = false;
    const m = /^ {4}([A-Za-z0-9._-]+) \(([0-9][A-Za-z0-9.]*)(?:-[^)]*)?\)\s*$/.exec(line);
    if (section === "GEM" && inSpecs && m) out.add(m[1], m[2]);
  }
  return { packages: out.packages, truncated: out.truncated };
}
