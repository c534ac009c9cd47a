// Watches for abuse signals as things happen and puts the account in the review queue when a
// threshold (Config.abuse, MICELIO_ABUSE_*) is passed: sign-ups from one address within an
// hour, projects created by one account within an hour, descriptions and READMEs with many
// links, and failed pushes (refused by the forge's hooks, or wrong git passwords) within an
// hour. Counts come from the audit log. Noticing never fails the action that triggered it.
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import { countLinks, HOUR_SECONDS } from "./abuse-signals.ts";
import { flagAccount } from "./review-store.ts";

type Thresholds = Config["abuse"];
interface Who {
  id: string;
  handle: string;
}

const hourAgo = () => new Date(Date.now() - HOUR_SECONDS * 1000);

async function countRecent(db: Db, where: { actorId?: string; ip?: string; actions: string[] }) {
  let q = db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("action", "in", where.actions)
    .where("created_at", ">", hourAgo());
  if (where.actorId) q = q.where("actor_id", "=", where.actorId);
  if (where.ip !== undefined) q = q.where("ip", "=", where.ip);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** After a sign-up: more than `signupsPerIpHour` accounts from the address within an hour. */
export async function noteSignup(db: Db, t: Thresholds, account: Who, ip: string) {
  if (!ip) return;
  const n = await countRecent(db, { ip, actions: ["account.create"] });
  if (n <= t.signupsPerIpHour) return;
  await flagAccount(
    db,
    account,
    "signups_per_ip",
    `${n} accounts were signed up from ${ip} within one hour (more than ${t.signupsPerIpHour}); ${account.handle} is the latest.`,
    { ip, count: n, threshold: t.signupsPerIpHour, window_seconds: HOUR_SECONDS },
    ip,
  );
}

/** After a project is created or forked: the creator's rate, and links in its description. */
export async function noteProjectCreated(
  db: Db,
  t: Thresholds,
  creator: Who,
  project: { fullName: string; description: string },
  ip: string,
) {
  const n = await countRecent(db, { actorId: creator.id, actions: ["project.create", "project.fork"] });
  if (n > t.projectsPerHour) {
    await flagAccount(
      db,
      creator,
      "projects_per_hour",
      `${creator.handle} created ${n} projects within one hour (more than ${t.projectsPerHour}); the latest is ${project.fullName}.`,
      { count: n, threshold: t.projectsPerHour, window_seconds: HOUR_SECONDS, project: project.fullName },
      ip,
    );
  }
  await noteLinks(db, t, creator, `the description of ${project.fullName}`, project.description, ip);
}

/** A description or README with `links` or more links. */
export async function noteLinks(db: Db, t: Thresholds, account: Who, where: string, text: string, ip = "") {
  const links = countLinks(text);
  if (links < t.links) return;
  await flagAccount(
    db,
    account,
    "link_heavy",
    `${where} holds ${links} links (${t.links} or more).`,
    { where, links, threshold: t.links },
    ip,
  );
}

/** After a README was indexed: its links count against the project's owner. */
export async function noteReadme(db: Db, t: Thresholds, projectId: string, text: string) {
  if (countLinks(text) < t.links) return;
  const p = await db
    .selectFrom("projects")
    .innerJoin("accounts", "accounts.id", "projects.owner_id")
    .select(["accounts.id as id", "accounts.handle as handle", "projects.handle as project"])
    .where("projects.id", "=", projectId)
    .executeTakeFirst();
  if (p) await noteLinks(db, t, p, `the README of ${p.handle}/${p.project}`, text);
}

/** A push the forge refused (pre-receive hooks): recorded, and counted with failed git sign-ins. */
export async function notePushRefused(
  db: Db,
  t: Thresholds,
  pusher: Who,
  project: { id: string; fullName: string },
  ip: string,
  refused: string[],
) {
  await recordAudit(
    db,
    { user: pusher, ip },
    {
      action: "push.refused",
      targetType: "project",
      targetId: project.id,
      target: project.fullName,
      projectId: project.id,
      data: { refs: refused.slice(0, 20) },
    },
  );
  await checkFailedPushes(db, t, pusher, ip);
}

/** After a wrong git password for an existing account (recorded as a failed sign-in via git). */
export async function noteFailedGitSignIn(db: Db, t: Thresholds, login: string, ip: string) {
  const needle = login.trim().toLowerCase().slice(0, 254);
  if (!needle) return;
  const account = await db
    .selectFrom("accounts")
    .select(["id", "handle"])
    .where("kind", "=", "user")
    .where((eb) => eb.or([eb(sql`lower(handle)`, "=", needle), eb(sql`lower(email)`, "=", needle)]))
    .executeTakeFirst();
  if (account) await checkFailedPushes(db, t, account, ip);
}

async function checkFailedPushes(db: Db, t: Thresholds, account: Who, ip: string) {
  const refused = await countRecent(db, { actorId: account.id, actions: ["push.refused"] });
  const row = await db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("target_type", "=", "account")
    .where("target_id", "=", account.id)
    .where("action", "=", "auth.sign_in_failed")
    .where(sql`data->>'via'`, "=", "git")
    .where("created_at", ">", hourAgo())
    .executeTakeFirstOrThrow();
  const badAuth = Number(row.n);
  const n = refused + badAuth;
  if (n <= t.failedPushesHour) return;
  await flagAccount(
    db,
    account,
    "failed_pushes",
    `${n} failed pushes by ${account.handle} within one hour (more than ${t.failedPushesHour}): ${refused} refused by the forge's checks, ${badAuth} with a wrong password.`,
    {
      count: n,
      refused,
      wrong_password: badAuth,
      threshold: t.failedPushesHour,
      window_seconds: HOUR_SECONDS,
    },
    ip,
  );
}

/** Awaits a noticing step without letting it fail the request: errors are only logged. */
export async function noticing(
  log: { error: (obj: object, msg: string) => void },
  step: Promise<unknown>,
): Promise<void> {
  await step.catch((err) => log.error({ err }, "checking an abuse signal failed"));
}
