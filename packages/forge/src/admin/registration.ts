// Who may create an account: the registration mode (open, invite-only or closed), stored in
// instance_settings with MICELIO_REGISTRATION as the default, and single-use invite links
// that administrators create. A sign-up consumes its invite in the sign-up's transaction.

import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import { z } from "zod";
import { randomToken, sha256 } from "../accounts/secrets.ts";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import { forbidden, notFound } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";

export const REGISTRATION_MODES = ["open", "invite-only", "closed"] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];
const KEY = "registration";

export async function registrationMode(db: Db, config: Config): Promise<RegistrationMode> {
  const row = await db
    .selectFrom("instance_settings")
    .select("value")
    .where("key", "=", KEY)
    .executeTakeFirst();
  const v = row?.value as RegistrationMode | undefined;
  return v && REGISTRATION_MODES.includes(v) ? v : config.registration;
}

export const modeSchema = z.object({
  mode: z.enum(REGISTRATION_MODES, { message: "Mode must be open, invite-only or closed" }),
});

export async function setRegistrationMode(db: Db, viewer: Viewer, config: Config, input: unknown) {
  const { mode } = requireValid(modeSchema, input);
  const previous = await registrationMode(db, config);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("instance_settings")
      .values({ key: KEY, value: mode })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: mode, updated_at: new Date() }))
      .execute();
    await recordAudit(trx, viewer, {
      action: "instance.registration",
      targetType: "instance",
      targetId: KEY,
      target: mode,
      data: { from: previous, to: mode },
    });
  });
  return mode;
}

export const inviteSchema = z.object({
  // A number, or digits from the web form; not coerced from anything (true would be 1 day).
  expires_in_days: z
    .union([z.number(), z.string().regex(/^\s*\d+\s*$/, "Give a whole number of days")])
    .pipe(z.coerce.number<string | number>().int().min(1).max(90))
    .default(7),
  note: z.string().max(200, "Note must be at most 200 characters").default(""),
});

export async function createInvite(db: Db, viewer: Viewer, input: unknown) {
  const data = requireValid(inviteSchema, input ?? {});
  const token = randomToken();
  const id = ulid();
  const expiresAt = new Date(Date.now() + data.expires_in_days * 86_400_000);
  const invite = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("invites")
      .values({
        id,
        token_hash: sha256(token),
        created_by: viewer.user?.id ?? null,
        note: data.note,
        expires_at: expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, viewer, {
      action: "invite.create",
      targetType: "invite",
      targetId: id,
      target: data.note,
      data: { expires_at: expiresAt.toISOString() },
    });
    return row;
  });
  return { invite, token };
}

export async function listInvites(db: Db) {
  return db
    .selectFrom("invites")
    .leftJoin("accounts as creator", "creator.id", "invites.created_by")
    .leftJoin("accounts as used", "used.id", "invites.used_by")
    .selectAll("invites")
    .select(["creator.handle as created_by_handle", "used.handle as used_by_handle"])
    .orderBy("invites.created_at", "desc")
    .orderBy("invites.id", "desc")
    .limit(200)
    .execute();
}

export type InviteRow = Awaited<ReturnType<typeof listInvites>>[number];

export function inviteJson(i: InviteRow) {
  const now = Date.now();
  return {
    id: i.id,
    note: i.note,
    created_by: i.created_by_handle ?? null,
    created_at: i.created_at.toISOString(),
    expires_at: i.expires_at.toISOString(),
    used_at: i.used_at?.toISOString() ?? null,
    used_by: i.used_by_handle ?? null,
    state: i.used_at
      ? ("used" as const)
      : i.expires_at.getTime() < now
        ? ("expired" as const)
        : ("valid" as const),
  };
}

export async function revokeInvite(db: Db, viewer: Viewer, id: string) {
  await db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom("invites").where("id", "=", id).returningAll().executeTakeFirst();
    if (!row) throw notFound("No such invite");
    await recordAudit(trx, viewer, {
      action: "invite.revoke",
      targetType: "invite",
      targetId: id,
      target: row.note,
    });
  });
}

/** Whether an invite token is currently usable (for showing the sign-up form). */
export async function inviteUsable(db: Db, token: string): Promise<boolean> {
  if (!token || token.length > 200) return false;
  const row = await db
    .selectFrom("invites")
    .select("id")
    .where("token_hash", "=", sha256(token))
    .where("used_at", "is", null)
    .where("expires_at", ">", new Date())
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The check a sign-up runs inside its transaction: refuses when registration is closed, and
 * in invite-only mode consumes a valid unused invite (atomically, so an invite admits one).
 */
export function registrationGate(config: Config, invite: string | undefined) {
  return async (trx: Db, accountId: string) => {
    const mode = await registrationMode(trx, config);
    if (mode === "open") return;
    if (mode === "closed") throw forbidden("Registration is closed on this instance");
    const token = invite ?? "";
    const used =
      token.length > 0 && token.length <= 200
        ? await trx
            .updateTable("invites")
            .set({ used_at: new Date(), used_by: accountId })
            .where("token_hash", "=", sha256(token))
            .where("used_at", "is", null)
            .where("expires_at", ">", sql<Date>`now()`)
            .returning("id")
            .executeTakeFirst()
        : undefined;
    if (!used) {
      throw forbidden(
        token
          ? "This invitation is invalid, already used or expired"
          : "Registration on this instance is by invitation only",
      );
    }
  };
}

export type SignupGate = ReturnType<typeof registrationGate>;
