// Personal access tokens: created by their owner, shown once, stored as a hash, limited by
// scopes, an optional expiry and optionally a list of projects (tokens/project-tokens.ts). An
// organization's tokens (tokens/org-tokens.ts) are rows here too, with org_id set. They
// authenticate API calls, git over HTTP, MCP and gRPC.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { SCOPES, type Scope } from "@micelio/core";
import { ulid } from "@micelio/core/ulid";
import type { Kysely } from "kysely";
import { randomToken, sha256 } from "../accounts/secrets.ts";
import type { ProjectLimit, Viewer } from "../accounts/viewer.ts";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account, ApiToken, Database } from "../db/schema.ts";
import { forbidden, invalid, notFound } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { projectNames, projectsField, requireProjectScopes, resolveProjectIds } from "./project-tokens.ts";
import { forgetUserTokens, tokenCache } from "./token-cache.ts";

export const TOKEN_PREFIX = "mic_";

export const createTokenSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
  scopes: z.array(z.enum(SCOPES)).min(1, "Choose at least one scope").max(SCOPES.length),
  expires_at: z.iso
    .datetime({ offset: true, message: "expires_at must be an ISO 8601 date-time" })
    .refine((v) => new Date(v).getTime() > Date.now(), "expires_at must be in the future")
    .nullish(),
  /** Marks the token as used by an agent: its requests get the agent rate-limit tier. */
  agent: z.boolean().optional(),
  projects: projectsField.optional(),
});
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

/** A token for the API; `names` maps its project ids to their current "owner/name". */
export function tokenJson(t: ApiToken, names: Map<string, string> = new Map()) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    expires_at: t.expires_at?.toISOString() ?? null,
    last_used_at: t.last_used_at?.toISOString() ?? null,
    created_at: t.created_at.toISOString(),
    agent: t.agent,
    projects: t.project_ids ? t.project_ids.flatMap((id) => names.get(id) ?? []) : null,
    org: null as string | null,
  };
}

export async function createToken(db: Db, user: Account, input: unknown, actor: Actor) {
  const data = requireValid(createTokenSchema, input);
  return db.transaction().execute((trx) => insertToken(trx, user, data, actor));
}

/** Creates a token inside the caller's transaction (device login issues one with its grant). */
export async function insertToken(
  trx: Kysely<Database>,
  user: Account,
  data: CreateTokenInput,
  actor: Actor,
  org: Account | null = null,
) {
  if (data.scopes.includes("admin") && !user.is_admin) {
    throw forbidden("Only administrators can create tokens with the admin scope");
  }
  if (org && !data.projects) throw invalid("Name the organization's projects the token may reach");
  let projectIds: string[] | null = null;
  if (data.projects) {
    requireProjectScopes(data.scopes);
    projectIds = await resolveProjectIds(trx, user, data.projects, org?.id ?? null);
  }
  const secret = `${TOKEN_PREFIX}${randomToken(30)}`;
  const token = await trx
    .insertInto("api_tokens")
    .values({
      id: ulid(),
      user_id: user.id,
      name: data.name,
      token_hash: sha256(secret),
      prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
      scopes: [...new Set(data.scopes)],
      expires_at: data.expires_at ? new Date(data.expires_at) : null,
      last_used_at: null,
      agent: data.agent ?? false,
      project_ids: projectIds,
      org_id: org?.id ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(trx, actor, {
    action: "token.create",
    targetType: "token",
    targetId: token.id,
    target: token.name,
    data: {
      scopes: token.scopes,
      expires_at: token.expires_at?.toISOString() ?? null,
      ...(token.agent ? { agent: true } : {}),
      ...(data.projects ? { projects: data.projects } : {}),
      ...(org ? { org: org.handle } : {}),
    },
  });
  const names = await projectNames(trx, projectIds ?? []);
  return { token: secret, ...tokenJson(token, names), org: org?.handle ?? null };
}

export async function listTokens(db: Db, userId: string) {
  const rows = await db
    .selectFrom("api_tokens")
    .selectAll()
    .where("user_id", "=", userId)
    .where("org_id", "is", null)
    .orderBy("created_at", "desc")
    .execute();
  const names = await projectNames(
    db,
    rows.flatMap((r) => r.project_ids ?? []),
  );
  return rows.map((r) => tokenJson(r, names));
}

export const revokeToken = (db: Db, user: Account, id: string, actor: Actor) =>
  deleteToken(db, id, { user: user.id }, actor);

/**
 * Deletes one token, a person's own or an organization's, audits it, and drops its maker's
 * cached authentications (other processes hear it from the database: token-cache.ts).
 */
export async function deleteToken(
  db: Db,
  id: string,
  of: { user: string } | { org: string; handle: string },
  actor: Actor,
): Promise<void> {
  const gone = await db.transaction().execute(async (trx) => {
    let q = trx.deleteFrom("api_tokens").where("id", "=", id);
    q =
      "org" in of
        ? q.where("org_id", "=", of.org)
        : q.where("user_id", "=", of.user).where("org_id", "is", null);
    const row = await q.returning(["name", "user_id"]).executeTakeFirst();
    if (!row) throw notFound("No such token");
    await recordAudit(trx, actor, {
      action: "token.revoke",
      targetType: "token",
      targetId: id,
      target: row.name,
      ...("org" in of ? { data: { org: of.handle } } : {}),
    });
    return row;
  });
  forgetUserTokens(gone.user_id);
}

/**
 * Resolves a presented token to its user and scopes, or null if unknown or expired. Answers
 * from the process's token cache when it can (tokens/token-cache.ts).
 */
export async function authenticateToken(
  db: Db,
  secret: string,
): Promise<{
  user: Account;
  scopes: Scope[];
  tokenId: string;
  agent: boolean;
  projects: ProjectLimit | null;
} | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const hash = sha256(secret);
  let auth = tokenCache.get(hash, db);
  if (!auth) {
    const generation = tokenCache.generation;
    const row = await db
      .selectFrom("api_tokens")
      .innerJoin("accounts", "accounts.id", "api_tokens.user_id")
      .selectAll("accounts")
      .select([
        "api_tokens.id as token_id",
        "api_tokens.scopes as token_scopes",
        "api_tokens.expires_at as token_expires",
        "api_tokens.last_used_at as token_used",
        "api_tokens.agent as token_agent",
        "api_tokens.project_ids as token_projects",
        "api_tokens.org_id as token_org",
        // An organization's token works while its maker is one of the org's owners.
        (eb) =>
          eb
            .selectFrom("org_members")
            .select("org_members.role")
            .whereRef("org_members.org_id", "=", "api_tokens.org_id")
            .whereRef("org_members.user_id", "=", "api_tokens.user_id")
            .as("token_org_role"),
      ])
      .where("api_tokens.token_hash", "=", hash)
      .executeTakeFirst();
    if (!row) return null;
    const {
      token_id,
      token_scopes,
      token_agent,
      token_expires,
      token_used,
      token_projects,
      token_org,
      token_org_role,
      ...user
    } = row;
    if (token_org !== null && token_org_role !== "owner") return null;
    auth = {
      user: user as Account,
      scopes: token_scopes as Scope[],
      tokenId: token_id,
      agent: token_agent,
      expiresAt: token_expires,
      usedAt: token_used,
      projects: token_projects ? { ids: token_projects, org: token_org } : null,
    };
    tokenCache.set(hash, auth, db, generation);
  }
  if (auth.expiresAt && auth.expiresAt.getTime() <= Date.now()) return null;
  if (!auth.usedAt || Date.now() - auth.usedAt.getTime() > 60_000) {
    auth.usedAt = new Date();
    await db
      .updateTable("api_tokens")
      .set({ last_used_at: auth.usedAt })
      .where("id", "=", auth.tokenId)
      .execute();
  }
  return {
    user: { ...auth.user },
    scopes: auth.scopes,
    tokenId: auth.tokenId,
    agent: auth.agent,
    projects: auth.projects,
  };
}

/** The viewer a token authentication makes (HTTP and gRPC alike). */
export function tokenViewer(
  auth: NonNullable<Awaited<ReturnType<typeof authenticateToken>>>,
  ip: string,
): Viewer {
  return {
    user: auth.user,
    scopes: auth.scopes,
    ip,
    agent: auth.agent,
    credential: { kind: "token", id: auth.tokenId },
    ...(auth.projects ? { projects: auth.projects } : {}),
  };
}
