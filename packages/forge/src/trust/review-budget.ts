// The maintainer attention budget: per project the review minutes its maintainers give each
// week (set by project administrators, audited), the asymmetric cost of each contribution —
// minutes to generate against minutes to review — per session and per week, agent and model,
// and the capacity check: the estimated minutes of the review queue against what is left of
// this week's budget and against the rate at which reviews come in. Crossing into over
// capacity records one project event (review.over_capacity) until the queue is back under.
//
// How each number is measured or estimated (docs/trust.md "Maintainer attention budget"):
// - generate_minutes: the minutes the agent declared (prompt.execution_ms) when it did, else
//   the session's opening to its submission (entering the review queue, ready_at; or landing).
// - review_minutes: elapsed minutes from the review request (ready_at) to a person's decision
//   (approved_at; the rejection; or landed_at when an administrator landed it unapproved).
// - review_estimate_minutes: base_minutes + (lines added + removed) / lines_per_minute.
// - review_spent_minutes (what a review takes from the budget): the smaller of the two above,
//   since nobody spends longer on a review than the time it waited, nor, we assume, than the
//   size model says.
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import { alertProjectMaintainers } from "./maintainer-alerts.ts";

export const DEFAULT_BASE_MINUTES = 5;
export const DEFAULT_LINES_PER_MINUTE = 20;
const WEEK_MS = 7 * 24 * 3600 * 1000;

export const budgetUpdateSchema = z
  .object({
    minutes_per_week: z.number().int().min(0).max(10080).nullable().optional(),
    base_minutes: z.number().min(0).max(600).optional(),
    lines_per_minute: z.number().gt(0).max(100000).optional(),
  })
  .strict()
  .openapi("ReviewBudgetUpdate");

export interface Budget {
  minutes_per_week: number | null;
  base_minutes: number;
  lines_per_minute: number;
  over_capacity: boolean;
  over_capacity_since: Date | null;
  updated_at: Date | null;
  updated_by: string | null;
}

export async function loadBudget(db: Db, projectId: string): Promise<Budget> {
  const row = await db
    .selectFrom("project_review_budgets")
    .selectAll()
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return {
    minutes_per_week: row?.minutes_per_week ?? null,
    base_minutes: Number(row?.base_minutes ?? DEFAULT_BASE_MINUTES),
    lines_per_minute: Number(row?.lines_per_minute ?? DEFAULT_LINES_PER_MINUTE),
    over_capacity: row?.over_capacity ?? false,
    over_capacity_since: row?.over_capacity_since ?? null,
    updated_at: row?.updated_at ?? null,
    updated_by: row?.updated_by ?? null,
  };
}

const settingsOf = (b: Budget) => ({
  minutes_per_week: b.minutes_per_week,
  base_minutes: b.base_minutes,
  lines_per_minute: b.lines_per_minute,
});

/** A project administrator sets the budget; the change and both versions are audited. */
export async function updateBudgetAs(db: Db, viewer: Viewer, owner: string, handle: string, input: unknown) {
  const changes = requireValid(budgetUpdateSchema, input ?? {});
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  const before = await loadBudget(db, project.id);
  const after = { ...settingsOf(before), ...changes };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("project_review_budgets")
      .values({ project_id: project.id, ...after, updated_by: viewer.user?.handle ?? null })
      .onConflict((oc) =>
        oc
          .column("project_id")
          .doUpdateSet({ ...after, updated_at: new Date(), updated_by: viewer.user?.handle ?? null }),
      )
      .execute();
    await recordAudit(trx, viewer, {
      action: "project.review_budget_update",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
      data: { before: settingsOf(before), after },
    });
  });
  return project;
}

/** The columns of a session that its costs are computed from. */
export interface CostRow {
  id: string;
  goal: string;
  status: string;
  author_handle: string;
  agent_name: string | null;
  agent_model: string | null;
  lines_added: number;
  lines_removed: number;
  execution_ms: number | null;
  created_at: Date;
  updated_at: Date;
  ready_at: Date | null;
  approved_at: Date | null;
  landed_at: Date | null;
}

const minutes = (ms: number) => Math.round((ms / 60000) * 10) / 10;
const round = (n: number) => Math.round(n * 10) / 10;

/** Minutes a person is estimated to need to review a change of this size. */
export const reviewEstimate = (b: Pick<Budget, "base_minutes" | "lines_per_minute">, lines: number) =>
  round(b.base_minutes + lines / b.lines_per_minute);

/** When a person decided on a session that waited for review, if one did. */
export function decidedAt(s: CostRow): Date | null {
  if (!s.ready_at) return null;
  if (s.approved_at) return s.approved_at;
  if (s.status === "rejected") return s.updated_at;
  if (s.status === "landed" && s.landed_at) return s.landed_at;
  return null;
}

/** When the session was submitted: it entered the review queue, or it landed. */
export const submittedAt = (s: CostRow): Date | null => s.ready_at ?? s.landed_at;

export interface SessionCost {
  id: string;
  goal: string;
  status: string;
  author: string;
  agent: string | null;
  model: string | null;
  lines: number;
  submitted_at: string | null;
  generate_minutes: number | null;
  generate_source: "declared" | "measured" | null;
  review_requested_at: string | null;
  decided_at: string | null;
  review_minutes: number | null;
  review_estimate_minutes: number;
  review_spent_minutes: number | null;
}

export function sessionCost(b: Pick<Budget, "base_minutes" | "lines_per_minute">, s: CostRow): SessionCost {
  const submitted = submittedAt(s);
  const decided = decidedAt(s);
  const lines = Number(s.lines_added) + Number(s.lines_removed);
  const estimate = reviewEstimate(b, lines);
  const declared = s.execution_ms !== null && s.execution_ms !== undefined;
  const generate = declared
    ? minutes(Number(s.execution_ms))
    : submitted
      ? minutes(Math.max(0, submitted.getTime() - s.created_at.getTime()))
      : null;
  const review =
    decided && s.ready_at ? minutes(Math.max(0, decided.getTime() - s.ready_at.getTime())) : null;
  return {
    id: s.id,
    goal: s.goal,
    status: s.status,
    author: s.author_handle,
    agent: s.agent_name,
    model: s.agent_model,
    lines,
    submitted_at: submitted?.toISOString() ?? null,
    generate_minutes: generate,
    generate_source: declared ? "declared" : generate === null ? null : "measured",
    review_requested_at: s.ready_at?.toISOString() ?? null,
    decided_at: decided?.toISOString() ?? null,
    review_minutes: review,
    review_estimate_minutes: estimate,
    review_spent_minutes: review === null ? null : Math.min(review, estimate),
  };
}

/** Monday 00:00 UTC of the week holding `d`. */
export function weekStart(d: Date): Date {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 24 * 3600 * 1000);
}

export interface CostTotals {
  sessions: number;
  generate_minutes: number;
  reviewed: number;
  review_minutes: number;
  review_spent_minutes: number;
  /** Review minutes spent per minute of generation (null without generation minutes). */
  review_per_generate: number | null;
}

function totals(costs: SessionCost[]): CostTotals {
  const sum = (f: (c: SessionCost) => number | null) => round(costs.reduce((a, c) => a + (f(c) ?? 0), 0));
  const generate = sum((c) => c.generate_minutes);
  const spent = sum((c) => c.review_spent_minutes);
  return {
    sessions: costs.length,
    generate_minutes: generate,
    reviewed: costs.filter((c) => c.review_minutes !== null).length,
    review_minutes: sum((c) => c.review_minutes),
    review_spent_minutes: spent,
    review_per_generate: generate > 0 ? Math.round((spent / generate) * 100) / 100 : null,
  };
}

function groupBy<K extends string>(costs: SessionCost[], key: (c: SessionCost) => string, name: K) {
  const groups = new Map<string, SessionCost[]>();
  for (const c of costs) groups.set(key(c), [...(groups.get(key(c)) ?? []), c]);
  return [...groups].map(
    ([k, list]) => ({ [name]: k, ...totals(list) }) as { [P in K]: string } & CostTotals,
  );
}

/** Sessions' costs added up per week of submission, per agent (account/name) and per model. */
export function aggregate(costs: SessionCost[]) {
  const submitted = costs.filter((c) => c.submitted_at);
  const weekOf = (c: SessionCost) => weekStart(new Date(c.submitted_at!)).toISOString().slice(0, 10);
  return {
    total: totals(submitted),
    by_week: groupBy(submitted, weekOf, "week").sort((a, b) => b.week.localeCompare(a.week)),
    by_agent: groupBy(submitted, (c) => (c.agent ? `${c.author}/${c.agent}` : c.author), "agent").sort(
      (a, b) => b.review_spent_minutes - a.review_spent_minutes || a.agent.localeCompare(b.agent),
    ),
    by_model: groupBy(submitted, (c) => c.model ?? "unknown", "model").sort(
      (a, b) => b.review_spent_minutes - a.review_spent_minutes || a.model.localeCompare(b.model),
    ),
  };
}

const COST_COLUMNS = [
  "id",
  "goal",
  "status",
  "author_handle",
  "agent_name",
  "agent_model",
  "lines_added",
  "lines_removed",
  "execution_ms",
  "created_at",
  "updated_at",
  "ready_at",
  "approved_at",
  "landed_at",
] as const;

/** Sessions submitted (queued for review or landed) since `since`, and every one still queued. */
async function costRows(db: Db, projectId: string, since: Date): Promise<CostRow[]> {
  return (await db
    .selectFrom("sessions")
    .select([...COST_COLUMNS])
    .where("project_id", "=", projectId)
    .where((eb) =>
      eb.or([
        eb("ready_at", ">=", since),
        eb("landed_at", ">=", since),
        eb("approved_at", ">=", since),
        eb.and([
          eb("status", "=", "rejected"),
          eb("ready_at", "is not", null),
          eb("updated_at", ">=", since),
        ]),
        eb.and([eb("status", "=", "open"), eb("ready_at", "is not", null), eb("approved_at", "is", null)]),
      ]),
    )
    .orderBy("id", "desc")
    .limit(5000)
    .execute()) as unknown as CostRow[];
}

export const inQueue = (s: CostRow) => s.status === "open" && s.ready_at !== null && s.approved_at === null;

export interface Capacity {
  minutes_per_week: number | null;
  week_start: string;
  spent_this_week: number;
  remaining_minutes: number | null;
  queue_sessions: number;
  queue_minutes: number;
  incoming_sessions_last_7_days: number;
  incoming_minutes_per_week: number;
  over_capacity: boolean;
  reasons: string[];
}

/** The queue's estimated minutes against this week's remaining budget and the incoming rate. */
export function capacity(b: Budget, rows: CostRow[], now: Date): Capacity {
  const start = weekStart(now);
  const costs = rows.map((r) => ({ row: r, cost: sessionCost(b, r) }));
  const spent = round(
    costs
      .filter(({ cost }) => cost.decided_at && new Date(cost.decided_at) >= start)
      .reduce((a, { cost }) => a + (cost.review_spent_minutes ?? 0), 0),
  );
  const queue = costs.filter(({ row }) => inQueue(row));
  const queueMinutes = round(queue.reduce((a, { cost }) => a + cost.review_estimate_minutes, 0));
  const weekAgo = now.getTime() - WEEK_MS;
  const incoming = costs.filter(({ row }) => row.ready_at && row.ready_at.getTime() >= weekAgo);
  const incomingMinutes = round(incoming.reduce((a, { cost }) => a + cost.review_estimate_minutes, 0));
  const budget = b.minutes_per_week;
  const remaining = budget === null ? null : round(Math.max(0, budget - spent));
  const reasons: string[] = [];
  if (budget !== null && remaining !== null) {
    if (queueMinutes > remaining)
      reasons.push(
        `the review queue needs about ${queueMinutes} minutes and ${remaining} of this week's ${budget} are left`,
      );
    if (incomingMinutes > budget)
      reasons.push(
        `reviews came in at about ${incomingMinutes} minutes over the last 7 days, more than the ${budget} a week`,
      );
  }
  return {
    minutes_per_week: budget,
    week_start: start.toISOString(),
    spent_this_week: spent,
    remaining_minutes: remaining,
    queue_sessions: queue.length,
    queue_minutes: queueMinutes,
    incoming_sessions_last_7_days: incoming.length,
    incoming_minutes_per_week: incomingMinutes,
    over_capacity: reasons.length > 0,
    reasons,
  };
}

/**
 * Computes the project's capacity now and remembers whether it is over: the first time it
 * crosses into over capacity (the stored flag was off) records the project event
 * review.over_capacity, once, in the same transaction; coming back under clears the flag, so
 * the next crossing records another.
 */
export async function checkCapacity(db: Db, projectId: string, now = new Date()) {
  const budget = await loadBudget(db, projectId);
  const cap = capacity(budget, await costRows(db, projectId, new Date(now.getTime() - WEEK_MS)), now);
  // Without a budget nothing is over (a flag left from before is cleared, so setting a budget
  // again announces its first crossing).
  if (cap.over_capacity === budget.over_capacity) return cap;
  await db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable("project_review_budgets")
      .set({ over_capacity: cap.over_capacity, over_capacity_since: cap.over_capacity ? now : null })
      .where("project_id", "=", projectId)
      .where("over_capacity", "=", !cap.over_capacity)
      .returning("project_id")
      .executeTakeFirst();
    if (changed && cap.over_capacity)
      await recordProjectEvent(trx, projectId, "review.over_capacity", {
        minutes_per_week: cap.minutes_per_week,
        remaining_minutes: cap.remaining_minutes,
        queue_sessions: cap.queue_sessions,
        queue_minutes: cap.queue_minutes,
        incoming_minutes_per_week: cap.incoming_minutes_per_week,
        reasons: cap.reasons,
      });
    if (changed && cap.over_capacity) {
      const name = await trx
        .selectFrom("projects as p")
        .innerJoin("accounts as o", "o.id", "p.owner_id")
        .select(sql<string>`o.handle || '/' || p.handle`.as("name"))
        .where("p.id", "=", projectId)
        .executeTakeFirstOrThrow();
      await alertProjectMaintainers(trx, projectId, {
        kind: "review.over_capacity",
        subject: "The review queue outgrew your review budget",
        text: `${cap.queue_sessions} session(s) wait for review, an estimated ${Math.round(cap.queue_minutes)} minute(s), against ${Math.round(cap.remaining_minutes ?? 0)} minute(s) left of this week's budget of ${cap.minutes_per_week}.\n\nReview similar sessions together on the batch review page, raise the budget, or tighten the agent policy.`,
        path: `/${name.name}/settings/review-budget`,
        everyHours: 1,
      });
    }
  });
  return cap;
}

/** Checks capacity without letting a failure of the check fail the caller's request. */
export async function checkCapacityQuietly(db: Db, projectId: string) {
  try {
    return await checkCapacity(db, projectId);
  } catch {
    return null;
  }
}

export const WEEKS_DEFAULT = 8;

/** The budget, its capacity now, and the accounting over the last `weeks` weeks (the API's answer). */
export async function budgetReport(db: Db, project: ProjectWithOwner, weeks = WEEKS_DEFAULT) {
  const now = new Date();
  const cap = await checkCapacity(db, project.id, now);
  const budget = await loadBudget(db, project.id);
  const since = new Date(weekStart(now).getTime() - (weeks - 1) * WEEK_MS);
  const costs = (await costRows(db, project.id, since)).map((r) => sessionCost(budget, r));
  return {
    ...settingsOf(budget),
    updated_at: budget.updated_at?.toISOString() ?? null,
    updated_by: budget.updated_by,
    over_capacity_since: budget.over_capacity_since?.toISOString() ?? null,
    capacity: cap,
    accounting: { since: since.toISOString(), weeks, ...aggregate(costs), sessions: costs.slice(0, 200) },
  };
}

export type BudgetReport = Awaited<ReturnType<typeof budgetReport>>;

/** Whether the project is over capacity as last checked (for banners), without a new check. */
export async function overCapacityNow(db: Db, projectId: string) {
  const row = await db
    .selectFrom("project_review_budgets")
    .select(["over_capacity", "over_capacity_since"])
    .where("project_id", "=", projectId)
    .where("minutes_per_week", "is not", null)
    .executeTakeFirst();
  return row?.over_capacity ? (row.over_capacity_since ?? new Date()) : null;
}
