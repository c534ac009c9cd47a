// Near-duplicate submissions: the same work sent again, by the same agent or another account.
// Prompts are compared with pg_trgm's similarity (in the database); changes by a MinHash of
// their added lines (whitespace-normalized), whose share of equal slots estimates the Jaccard
// similarity of the two sets of lines. The MinHash of a union is the slot-wise minimum, so a
// session's fingerprint does not depend on how its files were grouped.

import { isBinary, splitLines } from "@micelio/core/line-diff";
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { diffTrees } from "../repos/git-layer/tree-diff.ts";

export const SLOTS = 64;
/** Content read per session for its fingerprint (files past this are left out). */
const MAX_BYTES = 4 * 1024 * 1024;

const fnv1a = (s: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/** The i-th hash of a value: its FNV hash mixed with the slot's seed (murmur3's finalizer). */
const slotHash = (h: number, i: number) => {
  let x = (h ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

export const normalizeLine = (line: string) => line.trim().replace(/\s+/g, " ");

/** The MinHash of a set of strings; null for the empty set. */
export function minhash(items: Iterable<string>): number[] | null {
  const sig = new Array<number>(SLOTS).fill(0xffffffff);
  let any = false;
  for (const item of items) {
    any = true;
    const h = fnv1a(item);
    for (let i = 0; i < SLOTS; i++) {
      const v = slotHash(h, i);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return any ? sig : null;
}

/** The MinHash of the union of two sets. */
export const unionMinhash = (a: number[], b: number[]) => a.map((v, i) => Math.min(v, b[i]!));

/** The estimated Jaccard similarity of two sets from their MinHashes (0 … 1). */
export function similarity(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** The lines a change adds (normalized, non-empty), read through the git layer. */
export async function addedLines(
  repo: GitRepo,
  fromTree: string | null,
  toTree: string,
): Promise<Set<string>> {
  const lines = new Set<string>();
  let budget = MAX_BYTES;
  for (const ch of await diffTrees(repo, fromTree, toTree)) {
    if (!ch.next || ch.next.mode === "160000" || budget <= 0) continue;
    const blob = (await repo.readType(ch.next.oid, "blob")).data;
    budget -= blob.length;
    if (isBinary(blob)) {
      lines.add(`binary:${ch.next.oid}`);
      continue;
    }
    const before = new Set<string>();
    if (ch.old && ch.old.mode !== "160000")
      for (const l of splitLines((await repo.readType(ch.old.oid, "blob")).data.toString("utf8")))
        before.add(normalizeLine(l));
    for (const l of splitLines(blob.toString("utf8"))) {
      const n = normalizeLine(l);
      if (n && !before.has(n)) lines.add(n);
    }
  }
  return lines;
}

export interface Duplicate {
  session: string;
  similarity: number;
  author: string;
  agent: string | null;
  status: string;
}

/**
 * The most similar other session whose prompt is at least `threshold` similar, within the
 * window: from another account or agent, or one that was rejected (resubmitted slop).
 */
export async function similarPrompt(
  db: Db,
  q: {
    projectId: string;
    prompt: string;
    authorId: string;
    agent: string;
    windowDays: number;
    threshold: number;
    except: string[];
  },
): Promise<Duplicate | null> {
  const { rows } = await sql<Duplicate>`
    SELECT id AS session, author_handle AS author, agent_name AS agent, status,
           search_similarity(lower(prompt), lower(${q.prompt}))::float8 AS similarity
    FROM sessions
    WHERE project_id = ${q.projectId} AND prompt IS NOT NULL
      AND created_at > now() - make_interval(days => ${q.windowDays})
      AND (author_id IS DISTINCT FROM ${q.authorId} OR agent_name IS DISTINCT FROM ${q.agent} OR status = 'rejected')
      ${q.except.length ? sql`AND id NOT IN (${sql.join(q.except)})` : sql``}
      AND search_similarity(lower(prompt), lower(${q.prompt})) >= ${q.threshold}
    ORDER BY similarity DESC, id DESC LIMIT 1`.execute(db);
  return rows[0] ? { ...rows[0], similarity: Math.round(Number(rows[0].similarity) * 100) / 100 } : null;
}

/** The most similar submitted change of the window, by the same rule as similarPrompt. */
export async function similarDiff(
  db: Db,
  q: {
    projectId: string;
    sessionId: string;
    hash: number[];
    authorId: string;
    agent: string;
    windowDays: number;
    threshold: number;
    except: string[];
  },
): Promise<Duplicate | null> {
  const rows = await db
    .selectFrom("sessions")
    .select(["id", "author_handle", "agent_name", "status", "diff_minhash"])
    .where("project_id", "=", q.projectId)
    .where("diff_minhash", "is not", null)
    .where("id", "not in", [q.sessionId, ...q.except])
    .where("created_at", ">", sql<Date>`now() - make_interval(days => ${q.windowDays})`)
    .where((eb) =>
      eb.or([
        eb("author_id", "is distinct from", q.authorId),
        eb("agent_name", "is distinct from", q.agent),
        eb("status", "=", "rejected"),
      ]),
    )
    .orderBy("id", "desc")
    .limit(2000)
    .execute();
  let best: Duplicate | null = null;
  for (const r of rows) {
    const s = similarity(q.hash, r.diff_minhash ?? []);
    if (s >= q.threshold && (!best || s > best.similarity))
      best = { session: r.id, similarity: s, author: r.author_handle, agent: r.agent_name, status: r.status };
  }
  return best;
}
