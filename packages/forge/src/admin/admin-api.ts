// JSON API for instance administrators. Everyone else is told these routes do not exist.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isAdmin } from "../accounts/viewer.ts";
import { AuditEntrySchema, apiRouter, json, problems, scoped } from "../api/openapi.ts";
import { listAudit, recordAudit } from "../audit/audit.ts";
import { auditFilterSchema, auditQuery, exportAudit, NDJSON } from "../audit/audit-export.ts";
import { conflict, notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { countByState, getJob, JOB_STATES, listJobs, retryDead } from "../jobs/index.ts";

export const adminApi = apiRouter();

/** The audit views' answer: a page of entries, or with ?format=jsonl all of them as JSON lines. */
export const auditResponses = {
  description: "Entries, newest first; with format=jsonl every matching entry, one JSON object a line",
  content: {
    "application/json": { schema: z.array(AuditEntrySchema) },
    "application/x-ndjson": { schema: z.string() },
  },
};

export function requireAdmin(c: Context<AppEnv>) {
  if (!isAdmin(c.get("viewer"))) throw notFound();
}

adminApi.openapi(
  createRoute({
    method: "get",
    path: "/admin/audit",
    tags: ["admin"],
    summary: "The instance-wide audit log (administrators)",
    ...scoped("admin"),
    request: { query: auditFilterSchema },
    responses: { 200: auditResponses, 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    requireAdmin(c);
    const f = c.req.valid("query");
    const db = c.get("forge").db;
    const q = auditQuery(f);
    if (f.format === "jsonl")
      return c.body(await exportAudit(db, q), 200, { "Content-Type": NDJSON }) as never;
    return c.json(await listAudit(db, q), 200);
  },
);

export const JobSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    state: z.enum(JOB_STATES),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    run_at: z.string(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi("Job");

export function jobJson(j: Awaited<ReturnType<typeof listJobs>>[number]) {
  return {
    id: j.id,
    kind: j.kind,
    state: j.state,
    attempts: j.attempts,
    max_attempts: j.max_attempts,
    run_at: j.run_at.toISOString(),
    last_error: j.last_error,
    created_at: j.created_at.toISOString(),
    finished_at: j.finished_at?.toISOString() ?? null,
  };
}

adminApi.openapi(
  createRoute({
    method: "get",
    path: "/admin/jobs",
    tags: ["admin"],
    summary: "Background jobs by state, with counts (administrators); dead jobs are the dead-letter queue",
    ...scoped("admin"),
    request: {
      query: z.object({
        state: z.enum(JOB_STATES).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
        offset: z.coerce.number().int().min(0).optional(),
      }),
    },
    responses: {
      200: json(
        z.object({ counts: z.record(z.string(), z.number().int()), jobs: z.array(JobSchema) }),
        "Jobs",
      ),
      404: problems[404],
    },
  }),
  async (c) => {
    requireAdmin(c);
    const db = c.get("forge").db;
    const q = c.req.valid("query");
    const [counts, jobs] = await Promise.all([countByState(db), listJobs(db, q)]);
    return c.json({ counts, jobs: jobs.map(jobJson) }, 200);
  },
);

adminApi.openapi(
  createRoute({
    method: "post",
    path: "/admin/jobs/{id}/retry",
    tags: ["admin"],
    summary: "Put a dead job back in the queue (administrators)",
    ...scoped("admin"),
    request: { params: z.object({ id: z.coerce.number().int().positive() }) },
    responses: { 200: json(JobSchema, "The job, available again"), 404: problems[404], 409: problems[409] },
  }),
  async (c) => {
    requireAdmin(c);
    const job = await retryDeadJob(c, c.req.valid("param").id);
    return c.json(jobJson(job), 200);
  },
);

/** Retries a dead job and records it in the audit log. */
export async function retryDeadJob(c: Context<AppEnv>, id: number) {
  const db = c.get("forge").db;
  // Job ids are PostgreSQL integers: anything else names no job (and must not reach the query).
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw notFound("No such job");
  const job = await getJob(db, id);
  if (!job) throw notFound("No such job");
  if (!(await retryDead(db, id)))
    throw conflict("Only dead jobs can be retried, and not while a job with the same key is queued");
  await recordAudit(db, c.get("viewer"), {
    action: "job.retry",
    targetType: "job",
    targetId: String(id),
    target: job.kind,
  });
  return (await getJob(db, id))!;
}
