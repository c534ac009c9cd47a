// Advisories in the OSV format (https://ossf.github.io/osv-schema/), as an administrator
// imports them: the zod schema of what the forge keeps of an OSV record (unknown fields are
// dropped, every string and list capped), its normalisation into rows per affected package,
// and the match of one locked version against an affected entry: explicit `versions` always
// count; SEMVER and ECOSYSTEM ranges are walked as the spec says (introduced, fixed,
// last_affected; GIT ranges cannot be evaluated without the repository and are ignored).
import { z } from "zod";
import { compareVersions } from "./versions.ts";

const version = z.string().min(1).max(200);
const event = z.object({
  introduced: version.optional(),
  fixed: version.optional(),
  last_affected: version.optional(),
  limit: version.optional(),
});

export const osvSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "an OSV id: letters, digits, '.', '_', ':' and '-'"),
  summary: z.string().max(2000).optional(),
  details: z.string().max(200_000).optional(),
  modified: z.string().max(64).optional(),
  aliases: z.array(z.string().max(200)).max(100).optional(),
  severity: z
    .array(z.object({ type: z.string().max(40), score: z.string().max(300) }))
    .max(10)
    .optional(),
  database_specific: z
    .object({ severity: z.string().max(40).optional() })
    .loose()
    .optional(),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: z.string().min(1).max(100), name: z.string().min(1).max(300) }),
        ranges: z
          .array(z.object({ type: z.enum(["SEMVER", "ECOSYSTEM", "GIT"]), events: z.array(event).max(200) }))
          .max(50)
          .optional(),
        versions: z.array(version).max(10_000).optional(),
      }),
    )
    .max(500)
    .default([]),
});
export type OsvRecord = z.infer<typeof osvSchema>;

export interface RangeEvents {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

/** One affected package of an advisory, as stored and matched. */
export interface AffectedEntry {
  ecosystem: string;
  name: string;
  ranges: RangeEvents[][];
  versions: string[];
}

/** PyPI names compare normalised (PEP 503); other ecosystems' names are exact. */
export function packageKey(ecosystem: string, name: string) {
  return ecosystem === "PyPI" ? name.toLowerCase().replace(/[-_.]+/g, "-") : name;
}

/** What the forge stores of a record: its text fields and one entry per affected package. */
export function normalizeOsv(r: OsvRecord) {
  const firstLine = (r.details ?? "").trim().split("\n")[0] ?? "";
  return {
    id: r.id,
    summary: (r.summary?.trim() || firstLine).slice(0, 500),
    severity: r.database_specific?.severity ?? r.severity?.[0]?.score ?? null,
    aliases: r.aliases ?? [],
    modified: r.modified ?? null,
    affected: r.affected.map(
      (a): AffectedEntry => ({
        ecosystem: a.package.ecosystem,
        name: packageKey(a.package.ecosystem, a.package.name),
        ranges: (a.ranges ?? [])
          .filter((range) => range.type !== "GIT")
          .map((range) =>
            range.events
              .map(({ introduced, fixed, last_affected }) => ({ introduced, fixed, last_affected }))
              .filter((e) => e.introduced ?? e.fixed ?? e.last_affected),
          ),
        versions: a.versions ?? [],
      }),
    ),
  };
}

const at = (e: RangeEvents) => (e.introduced ?? e.fixed ?? e.last_affected)!;

/** Whether `v` is affected by `entry`, and the lowest fixed version above it (if any). */
export function matchVersion(entry: AffectedEntry, v: string): { affected: boolean; fixed: string | null } {
  const cmp = (a: string, b: string) => compareVersions(entry.ecosystem, a, b);
  let affected = entry.versions.some((listed) => listed === v || cmp(listed, v) === 0);
  let fixed: string | null = null;
  for (const events of entry.ranges) {
    const sorted = [...events].sort((a, b) =>
      a.introduced === "0" ? -1 : b.introduced === "0" ? 1 : cmp(at(a), at(b)),
    );
    let inRange = false;
    for (const e of sorted) {
      if (e.introduced !== undefined) {
        if (e.introduced === "0" || cmp(e.introduced, v) <= 0) inRange = true;
      } else if (e.fixed !== undefined) {
        if (cmp(e.fixed, v) <= 0) inRange = false;
        else if (inRange && (fixed === null || cmp(e.fixed, fixed) < 0)) fixed = e.fixed;
      } else if (e.last_affected !== undefined && cmp(e.last_affected, v) < 0) inRange = false;
      if (e.introduced === undefined && inRange && cmp(at(e), v) > 0) break;
    }
    affected ||= inRange;
  }
  return { affected, fixed: affected ? fixed : null };
}
