// The built-in `uses: dependency-audit` step: finds the lockfiles of the merged tree (read
// through the git layer, no checkout, no process), parses the versions they lock and checks
// each against the advisories an administrator imported (the forge fetches nothing). Fails
// when a locked version is affected, naming package, version, advisory, summary and fixed
// version; passes, saying so, when the tree has no lockfile. Every input is capped.
import type { Db } from "../../db/db.ts";
import type { GitRepo } from "../../repos/git-layer/git-repo.ts";
import { isTreeMode, type TreeEntry } from "../../repos/git-layer/objects.ts";
import { advisoriesFor, advisoryCount } from "./advisory-store.ts";
import { LOCKFILES, type LockedPackage, LockfileError, MAX_PACKAGES } from "./lockfiles/index.ts";
import { matchVersion, packageKey } from "./osv.ts";

/** A lockfile larger than this is not read (the step fails and says so). */
export const MAX_LOCKFILE_BYTES = 16 * 1024 * 1024;
/** Lockfile bytes read in one audit, all files together (parsing holds the forge's CPU). */
const MAX_TOTAL_BYTES = 48 * 1024 * 1024;
const MAX_LOCKFILES = 20;
const MAX_DEPTH = 4;
const MAX_TREES = 500;
const SKIPPED_DIRS = new Set([".git", "node_modules", "vendor", "target", "dist", "build", ".venv"]);
const MAX_FINDINGS_LOGGED = 200;

export interface ObjectReader {
  readTree(oid: string): Promise<TreeEntry[]>;
  info(oid: string): Promise<{ size: number } | null>;
  readBlob(oid: string): Promise<Buffer>;
}

/** Lockfiles in the tree, breadth first, to MAX_DEPTH directories deep. */
export async function findLockfiles(reader: ObjectReader, tree: string) {
  const found: { path: string; oid: string }[] = [];
  const queue: { oid: string; prefix: string; depth: number }[] = [{ oid: tree, prefix: "", depth: 0 }];
  let trees = 0;
  while (queue.length && found.length < MAX_LOCKFILES && trees++ < MAX_TREES) {
    const { oid, prefix, depth } = queue.shift()!;
    for (const entry of await reader.readTree(oid)) {
      if (isTreeMode(entry.mode)) {
        if (depth < MAX_DEPTH && !SKIPPED_DIRS.has(entry.name))
          queue.push({ oid: entry.oid, prefix: `${prefix}${entry.name}/`, depth: depth + 1 });
      } else if (entry.mode.startsWith("100") && Object.hasOwn(LOCKFILES, entry.name))
        found.push({ path: `${prefix}${entry.name}`, oid: entry.oid });
    }
  }
  return found.slice(0, MAX_LOCKFILES);
}

export interface Finding {
  lockfile: string;
  package: LockedPackage;
  advisory: string;
  summary: string;
  severity: string | null;
  fixed: string | null;
}

export async function dependencyAudit(db: Db, reader: ObjectReader, tree: string) {
  const lockfiles = await findLockfiles(reader, tree);
  if (!lockfiles.length)
    return { status: "passed" as const, log: "no lockfile in the tree: no locked dependencies to audit\n" };
  const lines: string[] = [];
  const findings: Finding[] = [];
  let unreadable = 0;
  let audited = 0;
  let total = 0;
  for (const file of lockfiles) {
    const name = file.path.split("/").pop()!;
    const size = (await reader.info(file.oid))?.size ?? 0;
    total += size;
    if (size > MAX_LOCKFILE_BYTES || total > MAX_TOTAL_BYTES) {
      unreadable++;
      const cap = size > MAX_LOCKFILE_BYTES ? MAX_LOCKFILE_BYTES : MAX_TOTAL_BYTES;
      lines.push(
        `${file.path}: over the ${cap >> 20} MiB the audit reads${cap === MAX_TOTAL_BYTES ? " in all" : ""}, not audited`,
      );
      continue;
    }
    let parsed: ReturnType<(typeof LOCKFILES)[string]>;
    try {
      parsed = LOCKFILES[name]!((await reader.readBlob(file.oid)).toString("utf8"));
    } catch (err) {
      if (!(err instanceof LockfileError)) throw err;
      unreadable++;
      lines.push(`${file.path}: cannot be read: ${err.message}`);
      continue;
    }
    audited += parsed.packages.length;
    lines.push(
      `${file.path}: ${parsed.packages.length} locked packages${parsed.truncated ? ` (only the first ${MAX_PACKAGES} audited)` : ""}`,
    );
    const known = await advisoriesFor(db, parsed.packages);
    for (const p of parsed.packages)
      for (const a of known.get(`${p.ecosystem}:${packageKey(p.ecosystem, p.name)}`) ?? []) {
        const m = matchVersion(a, p.version);
        if (m.affected)
          findings.push({
            lockfile: file.path,
            package: p,
            advisory: a.id,
            summary: a.summary,
            severity: a.severity,
            fixed: m.fixed,
          });
      }
  }
  if (!(await advisoryCount(db)))
    lines.push("no advisories are imported on this forge (micelio advisories import): nothing matched");
  for (const f of findings.slice(0, MAX_FINDINGS_LOGGED))
    lines.push(
      `${f.lockfile}: ${f.package.name} ${f.package.version} is affected by ${f.advisory}` +
        `${f.severity ? ` (${f.severity})` : ""}: ${f.summary || "no summary"}; ` +
        (f.fixed ? `fixed in ${f.fixed}` : "no fixed version"),
    );
  if (findings.length > MAX_FINDINGS_LOGGED)
    lines.push(`… and ${findings.length - MAX_FINDINGS_LOGGED} more`);
  lines.push(
    findings.length
      ? `${findings.length} vulnerable locked version${findings.length === 1 ? "" : "s"}`
      : unreadable
        ? `${unreadable} lockfile(s) could not be audited`
        : `no known advisories affect the ${audited} locked versions`,
  );
  const status = findings.length || unreadable ? ("failed" as const) : ("passed" as const);
  return { status, log: `${lines.join("\n")}\n`, findings };
}

/** The audit of a merged tree: new trees from the in-memory splice, blobs from the repository; never throws. */
export function auditTree(db: Db, repo: GitRepo, staged: Pick<ObjectReader, "readTree">, tree: string) {
  const reader: ObjectReader = {
    readTree: (oid) => staged.readTree(oid),
    info: (oid) => repo.info(oid),
    readBlob: async (oid) => (await repo.readType(oid, "blob")).data,
  };
  return dependencyAudit(db, reader, tree).catch((err: Error) => ({
    status: "error" as const,
    log: `the audit could not run: ${err.message}\n`,
  }));
}
