// Where a project's agent policy (agent-policy.ts) is enforced, in the order a session meets
// it: opening (cooling-off, backoff, the tier's quotas, near-duplicate prompts), uploading
// changes (backoff), landing before the quality gate (backoff, the tier's right to land and
// its size limits, near-duplicate changes) and after it (the human checkpoints, cascade
// approval, the project's review policy, which the auto tier skips).
//
// The policy governs agents' sessions (those that name their agent) opened or landed by
// someone who is not a project administrator: administrators set the policy, and an
// administrator landing an agent's session is the human review it asks for.
import type { Db } from "../db/db.ts";
import type { Forge } from "../http/context.ts";
import { readTreeChange } from "../landing/session-read.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { sessionRef } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { type AgentPolicy, loadPolicy } from "./agent-policy.ts";
import { type Standing, standingOf } from "./agent-standing.ts";
import { addedLines, minhash, similarDiff, similarPrompt } from "./near-duplicates.ts";
import { noteRefusal } from "./noise.ts";
import {
  changeTooLarge,
  coolingOff,
  nearDuplicate,
  submissionQuota,
  tierInsufficient,
  validationBackoff,
} from "./policy-problems.ts";

export const governed = (role: string, agent: string | null): agent is string =>
  agent !== null && role !== "admin";

export interface PolicyContext {
  policy: AgentPolicy;
  standing: Standing;
}

async function context(db: Db, projectId: string, authorId: string, agent: string): Promise<PolicyContext> {
  const { policy } = await loadPolicy(db, projectId);
  return { policy, standing: await standingOf(db, policy, { projectId, authorId, agent }) };
}

function requireNotWaiting({ policy, standing }: PolicyContext, now: Date) {
  if (standing.cooling_off_until)
    throw coolingOff(policy.cooling_off_minutes, standing.cooling_off_until, now);
  if (standing.backoff_until)
    throw validationBackoff(
      standing.failure_streak,
      Math.round((standing.backoff_until.getTime() - now.getTime()) / 60_000) || 1,
      standing.backoff_until,
      now,
    );
}

/** Before an agent's session opens. `lineage` lists sessions the new one may resemble (the one it revises). */
export async function checkOpen(
  db: Db,
  project: ProjectWithOwner,
  role: string,
  authorId: string,
  agent: string | null,
  prompt: string | null,
  lineage: string[],
  now = new Date(),
) {
  if (!governed(role, agent)) return;
  const ctx = await context(db, project.id, authorId, agent);
  requireNotWaiting(ctx, now);
  const { quota, tier } = ctx.standing;
  for (const window of ["day", "week"] as const) {
    const w = quota[window];
    if (w.limit !== null && w.used >= w.limit && w.frees_at)
      throw submissionQuota(tier, window, w.limit, w.used, w.frees_at, now);
  }
  const threshold = ctx.policy.duplicates?.prompt_similarity;
  if (prompt && threshold != null) {
    const dup = await similarPrompt(db, {
      projectId: project.id,
      prompt,
      authorId,
      agent,
      windowDays: ctx.policy.duplicates!.window_days,
      threshold,
      except: lineage,
    });
    if (dup) {
      await noteRefusal(db, { projectId: project.id, rule: "near-duplicate", authorId, agent });
      throw nearDuplicate("prompt", dup, threshold);
    }
  }
}

/** Before an upload to an agent's session (each one runs the quality gate again). */
export async function checkChanges(db: Db, role: string, session: SessionRow, now = new Date()) {
  if (!governed(role, session.agent_name) || !session.author_id) return;
  requireNotWaiting(await context(db, session.project_id, session.author_id, session.agent_name), now);
}

/**
 * Before the quality gate runs for a land: the agent may not be waiting, its tier must allow
 * landing a change of this size, and the change may not repeat another's. Records the
 * change's fingerprint. Returns the context for reviewRules, or null when not governed.
 */
export async function checkLand(
  forge: Forge,
  project: ProjectWithOwner,
  role: string,
  session: SessionRow,
  now = new Date(),
): Promise<PolicyContext | null> {
  if (!governed(role, session.agent_name) || !session.author_id) return null;
  const ctx = await context(forge.db, project.id, session.author_id, session.agent_name);
  requireNotWaiting(ctx, now);
  const { standing, policy } = ctx;
  if (standing.tier === "sandbox")
    throw tierInsufficient("sandbox", standing.passed_validations, policy.tiers.small.min_passed);
  const repo = forge.git.get(forge.repos.dir(project.id));
  const commit = await repo.resolveCommit(sessionRef(session.id));
  if (!commit) return ctx; // nothing to land; the lander says so
  const tree = (await repo.readCommit(commit)).tree;
  const baseTree = session.base_commit ? (await repo.readCommit(session.base_commit)).tree : null;
  const { limits } = standing;
  if (limits.max_lines !== null || limits.max_files !== null) {
    const change = await readTreeChange(repo, baseTree, tree, { scan: false });
    const size = { lines: change.linesAdded + change.linesRemoved, files: change.paths.length };
    if (
      (limits.max_lines !== null && size.lines > limits.max_lines) ||
      (limits.max_files !== null && size.files > limits.max_files)
    )
      throw changeTooLarge(
        standing.tier,
        size,
        { lines: limits.max_lines, files: limits.max_files },
        standing.next_tier,
      );
  }
  const threshold = policy.duplicates?.diff_similarity;
  if (threshold != null) {
    const hash = minhash(await addedLines(repo, baseTree, tree));
    await forge.db
      .updateTable("sessions")
      .set({ diff_minhash: hash ? JSON.stringify(hash) : null })
      .where("id", "=", session.id)
      .execute();
    const dup =
      hash &&
      (await similarDiff(forge.db, {
        projectId: project.id,
        sessionId: session.id,
        hash,
        authorId: session.author_id,
        agent: session.agent_name,
        windowDays: policy.duplicates!.window_days,
        threshold,
        except: session.revises_id ? [session.revises_id] : [],
      }));
    if (dup) {
      await forge.db
        .updateTable("sessions")
        .set({ duplicate_of: dup.session })
        .where("id", "=", session.id)
        .execute();
      await noteRefusal(forge.db, {
        projectId: project.id,
        rule: "near-duplicate",
        authorId: session.author_id,
        agent: session.agent_name,
      });
      throw nearDuplicate("diff", dup, threshold);
    }
  }
  return ctx;
}

export interface ReviewRule {
  rule: "checkpoint" | "cascade" | "agent_landing";
  message: string;
  [key: string]: unknown;
}

/**
 * After the gate passed: why this land still needs a person's approval (empty: it may land).
 * `ctx` is checkLand's answer (null when the policy does not govern the land).
 */
export function reviewRules(
  project: ProjectWithOwner,
  role: string,
  session: SessionRow,
  viewerId: string,
  ctx: PolicyContext | null,
): ReviewRule[] {
  if (!session.agent_name || session.approved_at) return [];
  const rules: ReviewRule[] = [];
  if (ctx) {
    const { policy, standing } = ctx;
    if (standing.checkpoints_remaining > 0)
      rules.push({
        rule: "checkpoint",
        message: `a new agent's first ${policy.checkpoints} contributions are reviewed by a person (${standing.landed} landed so far)`,
        checkpoints: policy.checkpoints,
        landed: standing.landed,
      });
    if (policy.cascade_approval && (session.generation_depth >= 2 || session.prompt_ai_reason))
      rules.push({
        rule: "cascade",
        message:
          session.generation_depth >= 2
            ? `the session acts on AI-generated context (generation ${session.generation_depth}); a person approves that first`
            : `the session's prompt looks AI-generated (${session.prompt_ai_reason}); a person approves that first`,
        generation_depth: session.generation_depth,
        ...(session.prompt_ai_reason ? { prompt_ai: session.prompt_ai_reason } : {}),
      });
  }
  const adminLandingOthers = role === "admin" && session.author_id !== viewerId;
  if (project.agent_landing === "review" && !adminLandingOthers && ctx?.standing.tier !== "auto")
    rules.push({ rule: "agent_landing", message: "the project reviews agents' sessions before they land" });
  return rules;
}
