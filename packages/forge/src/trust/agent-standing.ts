// An agent's standing in a project: what it has done there (sessions, gate passes, landings,
// rejections, its reputation in the project), the tier that earns it, what its tier still
// allows today and this week, and whether it waits (backoff after failed validations, cooling
// off after a rejection). The agent is its account and its agent name together.
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { notFound } from "../errors/app-error.ts";
import { getProject } from "../projects/projects-service.ts";
import type { AgentPolicy, Tier } from "./agent-policy.ts";
import { loadPolicy, TIERS } from "./agent-policy.ts";
import { outcomeOf, outcomeRows } from "./agent-stats.ts";
import { reputation } from "./reputation.ts";

export interface Identity {
  projectId: string;
  authorId: string;
  agent: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The tier that gate passes and reputation earn under a policy. */
export function earnedTier(policy: AgentPolicy, passed: number, score: number): Tier {
  const t = policy.tiers;
  if (passed >= t.auto.min_passed && score >= t.auto.min_reputation && passed >= t.large.min_passed)
    return "auto";
  if (passed >= t.large.min_passed && passed >= t.small.min_passed) return "large";
  if (passed >= t.small.min_passed) return "small";
  return "sandbox";
}

export const higherTier = (a: Tier, b: Tier) => (TIERS.indexOf(a) >= TIERS.indexOf(b) ? a : b);

/** Consecutive failed runs at the head of a newest-first list (errors neither break nor count). */
export function failureStreak(runs: { status: string; at: Date }[]): { streak: number; last: Date | null } {
  let streak = 0;
  let last: Date | null = null;
  for (const r of runs) {
    if (r.status === "passed") break;
    if (r.status !== "failed") continue;
    streak++;
    last ??= r.at;
  }
  return { streak, last };
}

/** Minutes an agent waits after `streak` failures: base doubled per failure past the threshold, capped. */
export function backoffMinutes(policy: AgentPolicy, streak: number): number {
  const b = policy.backoff;
  if (!b || streak < b.after_failures) return 0;
  return Math.min(b.base_minutes * 2 ** (streak - b.after_failures), b.max_minutes);
}

/** The time the oldest submission that still counts leaves a window (when a slot frees up). */
const freesAt = (times: Date[], windowMs: number, limit: number) => {
  const sorted = times.map((t) => t.getTime()).sort((a, b) => b - a); // newest first
  const keep = sorted[limit - 1];
  return keep === undefined ? null : new Date(keep + windowMs);
};

export async function standingOf(db: Db, policy: AgentPolicy, id: Identity, now = new Date()) {
  const where = sql<boolean>`s.project_id = ${id.projectId} AND s.author_id = ${id.authorId} AND s.agent_name = ${id.agent}`;
  const [rows, vouch, runs] = await Promise.all([
    outcomeRows(db, where),
    db
      .selectFrom("agent_vouches")
      .selectAll()
      .where("project_id", "=", id.projectId)
      .where("account_id", "=", id.authorId)
      .where("agent_name", "=", id.agent)
      .executeTakeFirst(),
    db
      .selectFrom("validation_runs as r")
      .innerJoin("sessions as s", "s.id", "r.session_id")
      .select(["r.status", "r.created_at as at"])
      .where("s.project_id", "=", id.projectId)
      .where("s.author_id", "=", id.authorId)
      .where("s.agent_name", "=", id.agent)
      .where("r.status", "in", ["passed", "failed"])
      .orderBy("r.created_at", "desc")
      .limit(100)
      .execute(),
  ]);
  const passed = rows.filter((r) => Number(r.passed) > 0 && !r.duplicate_of).length;
  const landed = rows.filter((r) => r.status === "landed").length;
  const score = reputation(rows.map(outcomeOf), now).score;
  const earned = earnedTier(policy, passed, score);
  const tier = vouch ? higherTier(earned, vouch.tier) : earned;
  const since = (ms: number) => rows.filter((r) => now.getTime() - new Date(r.created_at).getTime() < ms);
  const quota = policy.quotas[tier];
  const window = (name: "day" | "week", ms: number) => {
    const used = since(ms);
    const limit = quota[name];
    return {
      limit,
      used: used.length,
      frees_at:
        limit !== null && used.length >= limit
          ? freesAt(
              used.map((r) => new Date(r.created_at)),
              ms,
              limit,
            )
          : null,
    };
  };
  const { streak, last } = failureStreak(runs.map((r) => ({ status: r.status, at: new Date(r.at) })));
  const wait = backoffMinutes(policy, streak);
  const backoffUntil = last && wait > 0 ? new Date(last.getTime() + wait * MINUTE) : null;
  const rejectedAt = rows
    .filter((r) => r.status === "rejected")
    .map((r) => new Date(r.updated_at).getTime())
    .reduce((a, b) => Math.max(a, b), 0);
  const coolingUntil =
    rejectedAt && policy.cooling_off_minutes > 0
      ? new Date(rejectedAt + policy.cooling_off_minutes * MINUTE)
      : null;
  const future = (d: Date | null) => (d && d > now ? d : null);
  const next = TIERS[TIERS.indexOf(tier) + 1] as Tier | undefined;
  return {
    agent: id.agent,
    tier,
    earned_tier: earned,
    vouch: vouch
      ? { tier: vouch.tier, by: vouch.vouched_by, note: vouch.note, at: vouch.created_at.toISOString() }
      : null,
    sessions: rows.length,
    passed_validations: passed,
    landed,
    reputation: score,
    next_tier: next
      ? {
          tier: next,
          min_passed: next === "sandbox" ? 0 : policy.tiers[next].min_passed,
          ...(next === "auto" ? { min_reputation: policy.tiers.auto.min_reputation } : {}),
        }
      : null,
    limits: {
      max_lines: tier === "small" || tier === "large" ? policy.tiers[tier].max_lines : null,
      max_files: tier === "small" || tier === "large" ? policy.tiers[tier].max_files : null,
      may_land: tier !== "sandbox",
    },
    quota: { day: window("day", DAY), week: window("week", 7 * DAY) },
    failure_streak: streak,
    backoff_until: future(backoffUntil),
    cooling_off_until: future(coolingUntil),
    checkpoints_remaining: vouch ? 0 : Math.max(0, policy.checkpoints - landed),
  };
}

export type Standing = Awaited<ReturnType<typeof standingOf>>;

/** The standing of agent `name` of `account` (default: the viewer) in a project the viewer may read. */
export async function standingFor(
  db: Db,
  viewer: Viewer,
  owner: string,
  project: string,
  name: string,
  account?: string,
) {
  const { project: p } = await getProject(db, viewer, owner, project);
  const handle = account ?? viewer.user?.handle;
  if (!handle) throw notFound("Name the agent's account: ?account=HANDLE");
  const row = await db
    .selectFrom("accounts")
    .select(["id", "handle"])
    .where(sql`lower(handle)`, "=", handle.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound(`No account ${handle}`);
  const { policy } = await loadPolicy(db, p.id);
  const standing = await standingOf(db, policy, { projectId: p.id, authorId: row.id, agent: name });
  return { account: row.handle, ...standingJson(standing) };
}

export const standingJson = (s: Standing) => ({
  ...s,
  quota: {
    day: { ...s.quota.day, frees_at: s.quota.day.frees_at?.toISOString() ?? null },
    week: { ...s.quota.week, frees_at: s.quota.week.frees_at?.toISOString() ?? null },
  },
  backoff_until: s.backoff_until?.toISOString() ?? null,
  cooling_off_until: s.cooling_off_until?.toISOString() ?? null,
});
