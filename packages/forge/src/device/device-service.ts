// Device login (OAuth 2.0 Device Authorization Grant, RFC 8628): a client asks for a code
// pair, a signed-in user approves the short user code, and the client exchanges its device
// code once for a personal access token. The grant never exceeds what the approving
// credential holds: a web session or password grants any requested scope the account may
// hold, a token at most its own scopes and its own expiry.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { SCOPES, type Scope } from "@micelio/core";
import { ulid } from "@micelio/core/ulid";
import { randomToken, sha256 } from "../accounts/secrets.ts";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account, DeviceAuthorization } from "../db/schema.ts";
import { AppError, forbidden, notFound } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { insertToken } from "../tokens/tokens-service.ts";
import { formatUserCode, newUserCode } from "./user-code.ts";

export const DEVICE_CODE_TTL_SECONDS = 15 * 60;
export const POLL_INTERVAL_SECONDS = 5;
const MAX_INTERVAL_SECONDS = 60;
export const DEFAULT_DEVICE_SCOPES: Scope[] = ["project:read", "project:write", "session:write"];

export const DEVICE_ERRORS = [
  "authorization_pending",
  "slow_down",
  "expired_token",
  "access_denied",
  "invalid_grant",
] as const;
export type DeviceError = (typeof DEVICE_ERRORS)[number];

/** A 400 problem carrying the RFC 8628 / RFC 6749 error code in its `error` member. */
export const deviceError = (error: DeviceError, message: string, extra: Record<string, unknown> = {}) =>
  new AppError("invalid", message, { error, ...extra });

export const deviceCodeRequestSchema = z.object({
  client_name: z
    .string()
    .trim()
    .min(1, "client_name must not be empty")
    .max(60, "client_name must be at most 60 characters")
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, "client_name must not contain control characters")
    .optional(),
  scopes: z.array(z.enum(SCOPES)).min(1, "Ask for at least one scope").max(SCOPES.length).optional(),
});

export const deviceTokenRequestSchema = z.object({
  device_code: z.string().min(1).max(200),
  grant_type: z.literal("urn:ietf:params:oauth:grant-type:device_code").optional(),
});

/** Starts a device login; `origin` is where the forge's web pages are reached. */
export async function requestDeviceCode(db: Db, input: unknown, origin: string) {
  const data = requireValid(deviceCodeRequestSchema, input ?? {});
  // Old rows are of no use to anyone: forget them a day after they expire.
  await db
    .deleteFrom("device_authorizations")
    .where("expires_at", "<", new Date(Date.now() - 24 * 3600_000))
    .execute();
  const deviceCode = randomToken(32);
  for (let attempt = 0; ; attempt++) {
    const userCode = newUserCode();
    const inserted = await db
      .insertInto("device_authorizations")
      .values({
        id: ulid(),
        device_code_hash: sha256(deviceCode),
        user_code: userCode,
        client_name: data.client_name ?? "mic",
        scopes: [...new Set(data.scopes ?? DEFAULT_DEVICE_SCOPES)],
        interval_seconds: POLL_INTERVAL_SECONDS,
        expires_at: new Date(Date.now() + DEVICE_CODE_TTL_SECONDS * 1000),
      })
      .onConflict((oc) => oc.column("user_code").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) {
      const display = formatUserCode(userCode);
      return {
        device_code: deviceCode,
        user_code: display,
        verification_uri: `${origin}/device`,
        verification_uri_complete: `${origin}/device?code=${display}`,
        expires_in: DEVICE_CODE_TTL_SECONDS,
        interval: POLL_INTERVAL_SECONDS,
      };
    }
    if (attempt >= 5) throw new AppError("unavailable", "Could not allocate a user code; try again");
  }
}

/** The scopes an approval through this credential grants: requested ∩ what it holds. */
export function grantFor(viewer: Viewer, requested: readonly string[]): Scope[] {
  return SCOPES.filter(
    (s) => requested.includes(s) && hasScope(viewer, s) && (s !== "admin" || viewer.user?.is_admin),
  );
}

/** A pending, unexpired authorization by its (normalized) user code, or null. */
export async function findPending(db: Db, userCode: string): Promise<DeviceAuthorization | null> {
  const row = await db
    .selectFrom("device_authorizations")
    .selectAll()
    .where("user_code", "=", userCode)
    .where("status", "=", "pending")
    .where("expires_at", ">", new Date())
    .executeTakeFirst();
  return row ?? null;
}

const noSuchCode = () =>
  notFound("No pending device login has this code. Check it, or start the login again on the device.");

export function decisionJson(row: DeviceAuthorization) {
  return {
    user_code: formatUserCode(row.user_code),
    client_name: row.client_name,
    scopes: row.granted_scopes ?? row.scopes,
    status: row.status,
    expires_at: new Date(row.expires_at).toISOString(),
  };
}

/** The audit entry of an approval or denial: which request, its code and what it asked for. */
function auditDecision(
  trx: Parameters<typeof recordAudit>[0],
  viewer: Viewer,
  action: "device.approve" | "device.deny",
  row: { id: string; client_name: string; user_code: string; scopes: string[] },
  extra: Record<string, unknown> = {},
) {
  return recordAudit(trx, viewer, {
    action,
    targetType: "device_authorization",
    targetId: row.id,
    target: row.client_name,
    data: { user_code: formatUserCode(row.user_code), ...extra, requested: row.scopes },
  });
}

/** Approves a pending authorization for the viewer (signed in with a password or in the browser). */
export async function approveDevice(db: Db, viewer: Viewer, userCode: string) {
  const user = viewer.user;
  if (!user) throw forbidden("Log in to approve a device");
  return db.transaction().execute(async (trx) => {
    const pending = await findPending(trx, userCode);
    if (!pending) throw noSuchCode();
    const granted = grantFor(viewer, pending.scopes);
    if (granted.length === 0) {
      throw forbidden(
        `Your credentials hold none of the scopes this device asks for (${pending.scopes.join(", ")})`,
      );
    }
    const row = await trx
      .updateTable("device_authorizations")
      .set({
        status: "approved",
        user_id: user.id,
        granted_scopes: granted,
        decided_at: new Date(),
      })
      .where("id", "=", pending.id)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirst();
    if (!row) throw noSuchCode();
    await auditDecision(trx, viewer, "device.approve", row, { scopes: granted });
    return decisionJson(row);
  });
}

export async function denyDevice(db: Db, viewer: Viewer, userCode: string) {
  const user = viewer.user;
  if (!user) throw forbidden("Log in to deny a device");
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("device_authorizations")
      .set({ status: "denied", user_id: user.id, decided_at: new Date() })
      .where("user_code", "=", userCode)
      .where("status", "=", "pending")
      .where("expires_at", ">", new Date())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw noSuchCode();
    await auditDecision(trx, viewer, "device.deny", row);
    return decisionJson(row);
  });
}

/** The device's poll: a token once approved (exactly once), an RFC 8628 error otherwise. */
export async function exchangeDeviceCode(db: Db, input: unknown, ip: string) {
  const { device_code } = requireValid(deviceTokenRequestSchema, input);
  const row = await db
    .selectFrom("device_authorizations")
    .selectAll()
    .where("device_code_hash", "=", sha256(device_code))
    .executeTakeFirst();
  if (!row) throw deviceError("invalid_grant", "Unknown device code");
  if (row.status === "used") throw deviceError("invalid_grant", "This device code has already been used");
  if (row.status === "denied") throw deviceError("access_denied", "The device login was denied");
  const now = new Date();
  if (new Date(row.expires_at) <= now)
    throw deviceError("expired_token", "The device code has expired; start the login again");
  if (row.status === "pending") return poll(db, row, now);

  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable("device_authorizations")
      .set({ status: "used", last_polled_at: now })
      .where("id", "=", row.id)
      .where("status", "=", "approved")
      .returningAll()
      .executeTakeFirst();
    if (!claimed?.user_id || !claimed.granted_scopes)
      throw deviceError("invalid_grant", "This device code has already been used");
    const user = (await trx
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", claimed.user_id)
      .executeTakeFirstOrThrow()) as Account;
    const scopes = claimed.granted_scopes as Scope[];
    const token = await insertToken(
      trx,
      user,
      {
        name: `mic device login (${claimed.client_name})`,
        scopes,
        expires_at: null,
        // mic is the client agents use: its tokens get the agent rate-limit tier.
        agent: true,
      },
      { user, ip } satisfies Actor,
    );
    return {
      access_token: token.token,
      token_type: "bearer" as const,
      scope: scopes.join(" "),
      scopes,
      expires_at: token.expires_at,
      handle: user.handle,
    };
  });
}

/** Still pending: note the poll, and ask a client that polls faster than the interval to slow down. */
async function poll(db: Db, row: DeviceAuthorization, now: Date): Promise<never> {
  const tooSoon =
    row.last_polled_at !== null && now.getTime() - row.last_polled_at.getTime() < row.interval_seconds * 1000;
  const interval = tooSoon ? Math.min(row.interval_seconds + 5, MAX_INTERVAL_SECONDS) : row.interval_seconds;
  await db
    .updateTable("device_authorizations")
    .set({ last_polled_at: now, interval_seconds: interval })
    .where("id", "=", row.id)
    .execute();
  if (tooSoon) {
    throw deviceError("slow_down", `Polling too fast; wait ${interval} seconds between requests`, {
      interval,
    });
  }
  throw deviceError("authorization_pending", "Waiting for the user to approve the device login", {
    interval,
  });
}
