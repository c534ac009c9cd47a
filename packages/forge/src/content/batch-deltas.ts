// Deltas in the batch answer: a client that names, for a wanted blob, a base blob it already
// has (an earlier version of the same file) gets git's delta from that base when the delta is
// smaller than the blob (core/delta/git-delta.ts). The base is read through this repository's
// git layer only, so an id from another project is just "no such base" and the blob goes
// whole: a delta never carries bytes the caller could not read anyway. Work is capped: both
// blobs under MAX_DELTA_BLOB, and at most MAX_DELTA_WORK bytes read for deltas per request.
import { createDelta } from "@micelio/core/delta/git-delta";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { type ContentRepo, treeEntries } from "./content-service.ts";

/** Blobs (wanted and base) larger than this are sent whole. */
export const MAX_DELTA_BLOB = 1024 * 1024;
/** Bytes of wanted and base blobs one batch request may read to make deltas. */
export const MAX_DELTA_WORK = 32 * 1024 * 1024;

const SHA = /^[0-9a-f]{40}$/;

export class DeltaBudget {
  used = 0;
  made = 0;
}

/**
 * The delta that turns `base` into `want`, both blobs of this repository, when it is smaller
 * than `want`'s bytes (given); null when the base is not a blob here, either is too large, the
 * budget is spent, or the delta would not save anything.
 */
export async function deltaFrom(
  git: GitRepo,
  want: Buffer,
  base: string | undefined,
  budget: DeltaBudget,
): Promise<Uint8Array | null> {
  if (!base || !SHA.test(base) || want.length > MAX_DELTA_BLOB) return null;
  const info = await git.info(base);
  if (info?.type !== "blob" || info.size > MAX_DELTA_BLOB) return null;
  if (budget.used + info.size + want.length > MAX_DELTA_WORK) return null;
  budget.used += info.size + want.length;
  const obj = await git.read(base);
  if (obj?.type !== "blob") return null;
  const delta = createDelta(obj.data, want);
  if (delta) budget.made++;
  return delta;
}

/**
 * A tree's listing (`JSON.stringify` of its entries, as GET …/trees/{sha} lists them) as a
 * delta from the listing of `base`, another tree of this repository the client has listed;
 * null when `base` is no tree here, either listing is over MAX_DELTA_BLOB, or it saves nothing.
 */
export async function listingDelta(repo: ContentRepo, entries: unknown[], base: string) {
  if (!SHA.test(base)) return null;
  const was = await treeEntries(repo, base).catch(() => null);
  if (!was) return null;
  const [from, to] = [Buffer.from(JSON.stringify(was)), Buffer.from(JSON.stringify(entries))];
  if (from.length > MAX_DELTA_BLOB || to.length > MAX_DELTA_BLOB) return null;
  return createDelta(from, to);
}
