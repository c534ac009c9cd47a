// Trusted introducers: a trusted member of a project vouches for an agent (an account and its
// agent name), which waives the agent's human checkpoints and starts it at least at the
// vouched tier. Trusted means a project administrator, or a writer with at least the
// policy's `introducer_min_landings` landed sessions of their own (not an agent's) in the
// project. An agent cannot be vouched for by its own account. Vouches and their withdrawal
// are audited.
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { forbidden, invalid, notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject } from "../projects/projects-service.ts";
import { loadPolicy } from "./agent-policy.ts";

export const vouchSchema = z
  .object({
    account: z.string().trim().min(1).max(39),
    tier: z.enum(["small", "large", "auto"]).default("small"),
    note: z.string().trim().max(500).optional(),
  })
  .strict()
  .openapi("VouchRequest");

async function accountId(db: Db, handle: string) {
  const row = await db
    .selectFrom("accounts")
    .select(["id", "handle"])
    .where(sql`lower(handle)`, "=", handle.toLowerCase())
    .where("kind", "=", "user")
    .executeTakeFirst();
  if (!row) throw notFound(`No user ${handle}`);
  return row;
}

/** Whether the viewer may introduce agents: an administrator, or a writer with enough landings. */
async function requireTrusted(db: Db, projectId: string, role: string, userId: string) {
  if (role === "admin") return;
  const { policy } = await loadPolicy(db, projectId);
  const { landed } = await db
    .selectFrom("sessions")
    .select(sql<number>`count(*)::int`.as("landed"))
    .where("project_id", "=", projectId)
    .where("author_id", "=", userId)
    .where("agent_name", "is", null)
    .where("status", "=", "landed")
    .executeTakeFirstOrThrow();
  if (landed < policy.introducer_min_landings)
    throw forbidden(
      `Only trusted members vouch for agents: project administrators, or writers with at least ${policy.introducer_min_landings} landed sessions of their own here (you have ${landed})`,
    );
}

export const vouchJson = (v: {
  account_handle: string;
  agent_name: string;
  tier: string;
  vouched_by: string;
  note: string | null;
  created_at: Date;
}) => ({
  account: v.account_handle,
  agent: v.agent_name,
  tier: v.tier,
  vouched_by: v.vouched_by,
  note: v.note,
  created_at: v.created_at.toISOString(),
});

export async function listVouches(db: Db, viewer: Viewer, owner: string, handle: string) {
  const { project } = await getProject(db, viewer, owner, handle);
  const rows = await db
    .selectFrom("agent_vouches as v")
    .innerJoin("accounts as a", "a.id", "v.account_id")
    .selectAll("v")
    .select("a.handle as account_handle")
    .where("v.project_id", "=", project.id)
    .orderBy("v.created_at", "desc")
    .execute();
  return rows.map(vouchJson);
}

export async function vouchAs(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  agent: string,
  input: unknown,
) {
  if (!viewer.user) throw unauthorized();
  const data = requireValid(vouchSchema, input ?? {});
  if (!/^[^\s/]{1,100}$/.test(agent))
    throw invalid("Name the agent", [{ field: "agent", message: "an agent name of 1 to 100 characters" }]);
  const { project, role } = await getProject(db, viewer, owner, handle, "write");
  await requireTrusted(db, project.id, role, viewer.user.id);
  const account = await accountId(db, data.account);
  if (account.id === viewer.user.id) throw forbidden("You cannot vouch for your own agents");
  const by = viewer.user.handle;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("agent_vouches")
      .values({
        project_id: project.id,
        account_id: account.id,
        agent_name: agent,
        tier: data.tier,
        vouched_by: by,
        note: data.note ?? null,
      })
      .onConflict((oc) =>
        oc.columns(["project_id", "account_id", "agent_name"]).doUpdateSet({
          tier: data.tier,
          vouched_by: by,
          note: data.note ?? null,
          created_at: new Date(),
        }),
      )
      .execute();
    await recordAudit(trx, viewer, {
      action: "project.agent_vouch",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
      data: { account: account.handle, agent, tier: data.tier, note: data.note ?? null },
    });
  });
  return (await listVouches(db, viewer, owner, handle)).find(
    (v) => v.account === account.handle && v.agent === agent,
  )!;
}

/** Withdraws a vouch: a project administrator, or the member who gave it. */
export async function withdrawVouchAs(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  agent: string,
  accountHandle: string,
) {
  if (!viewer.user) throw unauthorized();
  const { project, role } = await getProject(db, viewer, owner, handle, "write");
  const account = await accountId(db, accountHandle);
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom("agent_vouches")
      .where("project_id", "=", project.id)
      .where("account_id", "=", account.id)
      .where("agent_name", "=", agent)
      .where((eb) => (role === "admin" ? eb.val(true) : eb("vouched_by", "=", viewer.user!.handle)))
      .returning("tier")
      .executeTakeFirst();
    if (!row) throw notFound("No vouch of yours for this agent");
    await recordAudit(trx, viewer, {
      action: "project.agent_unvouch",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
      data: { account: account.handle, agent },
    });
  });
}
