// A project's trust policy for agents: a strictness preset (off, lenient, standard, strict)
// and the maintainers' overrides of any of its numbers. The resolved policy says how an
// agent climbs the tiers (sandbox → small → large → auto), what each tier may submit, how
// long an agent waits after failures and rejections, what counts as a near-duplicate, how
// many of a new agent's contributions a person reviews, and whether an agent acting on AI
// output needs a person's approval. Changes are audited. docs/trust.md documents every number.
import { z } from "@hono/zod-openapi";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject } from "../projects/projects-service.ts";

export const TIERS = ["sandbox", "small", "large", "auto"] as const;
export type Tier = (typeof TIERS)[number];
export const STRICTNESS = ["off", "lenient", "standard", "strict"] as const;
export type Strictness = (typeof STRICTNESS)[number];

const count = z.number().int().min(0).max(1_000_000);
const limit = count.nullable();
const quota = z.object({ day: limit, week: limit }).strict();
const policyShape = z
  .object({
    checkpoints: z.number().int().min(0).max(1000),
    cascade_approval: z.boolean(),
    introducer_min_landings: count,
    tiers: z
      .object({
        small: z.object({ min_passed: count, max_lines: limit, max_files: limit }).strict(),
        large: z.object({ min_passed: count, max_lines: limit, max_files: limit }).strict(),
        auto: z.object({ min_passed: count, min_reputation: z.number().min(0).max(100) }).strict(),
      })
      .strict(),
    quotas: z.object({ sandbox: quota, small: quota, large: quota, auto: quota }).strict(),
    backoff: z
      .object({
        after_failures: z.number().int().min(1).max(1000),
        base_minutes: z.number().min(0).max(10_080),
        max_minutes: z.number().min(0).max(43_200),
      })
      .strict()
      .nullable(),
    cooling_off_minutes: z.number().min(0).max(43_200),
    duplicates: z
      .object({
        prompt_similarity: z.number().min(0.3).max(1).nullable(),
        diff_similarity: z.number().min(0.3).max(1).nullable(),
        window_days: z.number().int().min(1).max(90),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type AgentPolicy = z.infer<typeof policyShape>;

/** Human checkpoints and cascade approval are the same in every preset. */
const HUMAN = { checkpoints: 3, cascade_approval: true, introducer_min_landings: 10 };

export const PRESETS: Record<Strictness, AgentPolicy> = {
  off: {
    ...HUMAN,
    tiers: {
      small: { min_passed: 0, max_lines: null, max_files: null },
      large: { min_passed: 0, max_lines: null, max_files: null },
      auto: { min_passed: 0, min_reputation: 0 },
    },
    quotas: Object.fromEntries(TIERS.map((t) => [t, { day: null, week: null }])) as AgentPolicy["quotas"],
    backoff: null,
    cooling_off_minutes: 0,
    duplicates: null,
  },
  lenient: {
    ...HUMAN,
    tiers: {
      small: { min_passed: 0, max_lines: 500, max_files: 25 },
      large: { min_passed: 3, max_lines: 5000, max_files: 250 },
      auto: { min_passed: 10, min_reputation: 60 },
    },
    quotas: {
      sandbox: { day: 30, week: 100 },
      small: { day: 100, week: 500 },
      large: { day: 300, week: 1500 },
      auto: { day: null, week: null },
    },
    backoff: { after_failures: 5, base_minutes: 2, max_minutes: 240 },
    cooling_off_minutes: 15,
    duplicates: { prompt_similarity: 0.95, diff_similarity: 0.95, window_days: 3 },
  },
  standard: {
    ...HUMAN,
    tiers: {
      small: { min_passed: 0, max_lines: 200, max_files: 10 },
      large: { min_passed: 5, max_lines: 2000, max_files: 100 },
      auto: { min_passed: 15, min_reputation: 65 },
    },
    quotas: {
      sandbox: { day: 10, week: 30 },
      small: { day: 30, week: 150 },
      large: { day: 100, week: 500 },
      auto: { day: 300, week: 1500 },
    },
    backoff: { after_failures: 3, base_minutes: 5, max_minutes: 1440 },
    cooling_off_minutes: 60,
    duplicates: { prompt_similarity: 0.9, diff_similarity: 0.9, window_days: 7 },
  },
  strict: {
    ...HUMAN,
    tiers: {
      small: { min_passed: 1, max_lines: 100, max_files: 5 },
      large: { min_passed: 10, max_lines: 1000, max_files: 50 },
      auto: { min_passed: 30, min_reputation: 75 },
    },
    quotas: {
      sandbox: { day: 3, week: 10 },
      small: { day: 10, week: 50 },
      large: { day: 30, week: 150 },
      auto: { day: 100, week: 500 },
    },
    backoff: { after_failures: 2, base_minutes: 15, max_minutes: 2880 },
    cooling_off_minutes: 240,
    duplicates: { prompt_similarity: 0.8, diff_similarity: 0.8, window_days: 14 },
  },
};

/** Overrides: any part of the policy; a nested object replaces only the keys it names. */
const overridesShape = z
  .object({
    checkpoints: policyShape.shape.checkpoints,
    cascade_approval: policyShape.shape.cascade_approval,
    introducer_min_landings: policyShape.shape.introducer_min_landings,
    tiers: z
      .object({
        small: policyShape.shape.tiers.shape.small.partial(),
        large: policyShape.shape.tiers.shape.large.partial(),
        auto: policyShape.shape.tiers.shape.auto.partial(),
      })
      .partial()
      .strict(),
    quotas: z
      .object({
        sandbox: quota.partial(),
        small: quota.partial(),
        large: quota.partial(),
        auto: quota.partial(),
      })
      .partial()
      .strict(),
    backoff: policyShape.shape.backoff.unwrap().partial().nullable(),
    cooling_off_minutes: policyShape.shape.cooling_off_minutes,
    duplicates: policyShape.shape.duplicates.unwrap().partial().nullable(),
  })
  .partial()
  .strict();
export type PolicyOverrides = z.infer<typeof overridesShape>;

export const policyUpdateSchema = overridesShape
  .extend({
    strictness: z.enum(STRICTNESS).optional(),
    /** Drop every override first (back to the preset's numbers). */
    reset: z.boolean().optional(),
  })
  .strict()
  .openapi("AgentPolicyUpdate");

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `over` laid onto `base`: objects merge key by key, anything else (null included) replaces. */
export function mergeDeep<T>(base: T, over: unknown): T {
  if (!isObject(base) || !isObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObject(out[k]) && isObject(v) ? mergeDeep(out[k], v) : v;
  }
  return out as T;
}

/** The preset with the overrides applied; a nulled section that the preset has comes back whole when overridden again. */
export function resolvePolicy(strictness: Strictness, overrides: PolicyOverrides): AgentPolicy {
  const base = PRESETS[strictness];
  const merged = mergeDeep(base, overrides);
  // A section turned back on from null takes the missing numbers from the standard preset.
  for (const key of ["backoff", "duplicates"] as const)
    if (merged[key] && !base[key])
      (merged as Record<string, unknown>)[key] = mergeDeep(PRESETS.standard[key], overrides[key]);
  return policyShape.parse(merged);
}

export interface ProjectPolicy {
  strictness: Strictness;
  overrides: PolicyOverrides;
  policy: AgentPolicy;
  updated_at: Date | null;
  updated_by: string | null;
}

export async function loadPolicy(db: Db, projectId: string): Promise<ProjectPolicy> {
  const row = await db
    .selectFrom("project_agent_policies")
    .selectAll()
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  const strictness = (row?.strictness ?? "standard") as Strictness;
  const overrides = (row?.overrides ?? {}) as PolicyOverrides;
  return {
    strictness,
    overrides,
    policy: resolvePolicy(strictness, overrides),
    updated_at: row?.updated_at ?? null,
    updated_by: row?.updated_by ?? null,
  };
}

export const policyJson = (p: ProjectPolicy) => ({
  strictness: p.strictness,
  ...p.policy,
  overrides: p.overrides,
  updated_at: p.updated_at?.toISOString() ?? null,
  updated_by: p.updated_by,
  presets: PRESETS,
});

/** A project administrator changes the policy; the change and both versions are audited. */
export async function updatePolicyAs(db: Db, viewer: Viewer, owner: string, handle: string, input: unknown) {
  const { strictness, reset, ...changes } = requireValid(policyUpdateSchema, input ?? {});
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  const before = await loadPolicy(db, project.id);
  const overrides = mergeDeep(reset ? {} : before.overrides, changes) as PolicyOverrides;
  const next = strictness ?? before.strictness;
  resolvePolicy(next, overrides); // refuses a combination that does not make a policy
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("project_agent_policies")
      .values({
        project_id: project.id,
        strictness: next,
        overrides: JSON.stringify(overrides),
        updated_by: viewer.user?.handle ?? null,
      })
      .onConflict((oc) =>
        oc.column("project_id").doUpdateSet({
          strictness: next,
          overrides: JSON.stringify(overrides),
          updated_at: new Date(),
          updated_by: viewer.user?.handle ?? null,
        }),
      )
      .execute();
    await recordAudit(trx, viewer, {
      action: "project.agent_policy_update",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
      data: {
        before: { strictness: before.strictness, overrides: before.overrides },
        after: { strictness: next, overrides },
      },
    });
  });
  return loadPolicy(db, project.id);
}
