// Shared pieces for JSON API routes: the OpenAPIHono factory (validation failures become
// problem+json), the response schemas every route reuses, and the auth guards. Every route
// declares what it asks of the caller's credential next to its definition — scoped(scope),
// PUBLIC, SIGNED_IN or PASSWORD — and the router refuses to register one that does not; the
// declaration is what the router enforces, before the input is validated.
import { OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { Scope } from "@micelio/core";
import type { Context, MiddlewareHandler } from "hono";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import type { Account } from "../db/schema.ts";
import { AppError, forbidden, invalid } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { projectTokenMay } from "../tokens/project-token-routes.ts";

/** What a route needs: a token scope, nothing, any signed-in credential, or no token at all. */
export type Access = Scope | "public" | "signed-in" | "password";
type Declared = {
  "x-scope": Access;
  security: Record<string, string[]>[];
  /** When this holds the scope is not asked for (said in the route's description). */
  "x-scope-unless"?: { note: string; holds: (c: Context<AppEnv>) => boolean };
};

/**
 * A token must carry `scope` (web sessions and passwords hold every scope); `unless`, rarely,
 * names the one case it need not (a token revoking itself).
 */
export const scoped = (scope: Scope, unless?: Declared["x-scope-unless"]): Declared => ({
  "x-scope": scope,
  security: [{ bearerAuth: [scope] }, { basicAuth: [scope] }, { cookieAuth: [] }],
  ...(unless ? { "x-scope-unless": unless } : {}),
});
/** Anyone may call it; a credential, if sent, only widens what is visible (project:read). */
export const PUBLIC: Declared = {
  "x-scope": "public",
  security: [{}, { bearerAuth: [] }, { basicAuth: [] }, { cookieAuth: [] }],
};
/** Any signed-in credential, whatever its scopes (reading your own account). */
export const SIGNED_IN: Declared = {
  "x-scope": "signed-in",
  security: [{ bearerAuth: [] }, { basicAuth: [] }, { cookieAuth: [] }],
};
/** The password (HTTP Basic) or a web session, never a token: a token must not mint others. */
export const PASSWORD: Declared = {
  "x-scope": "password",
  security: [{ basicAuth: [] }, { cookieAuth: [] }],
};

const SCOPE_NOTES: Record<Exclude<Access, Scope>, string> = {
  public: "No credential needed.",
  "signed-in": "Any signed-in credential (token of any scope, password or web session).",
  password: "Your password (HTTP Basic) or a web session; tokens are refused.",
};

/**
 * Refuses a signed-in caller whose credential does not meet the route's declared access.
 * Anonymous callers go on to the handler, which answers 401, or 404 for what they may not
 * know exists (services check the user and access themselves).
 */
const enforce =
  (
    access: Access,
    unless: Declared["x-scope-unless"] | undefined,
    route: RouteConfig,
  ): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    // A project token reaches only its projects' routes and a few others (tokens/project-token-routes.ts).
    if (c.get("viewer").projects && !unless?.holds(c) && !projectTokenMay(route.method, route.path, access)) {
      throw forbidden("This token is limited to projects and cannot use this route");
    }
    if (access !== "public" && c.get("viewer").user && !unless?.holds(c)) {
      if (access === "password") {
        if (c.get("authVia") === "token")
          throw forbidden("Use your password (HTTP Basic) or the web for this: tokens cannot");
      } else if (access !== "signed-in") requireScope(c.get("viewer"), access);
    }
    await next();
  };

/** The route with its access enforced first and written into its description and responses. */
function declared(route: RouteConfig & Partial<Declared>) {
  const { "x-scope": access, "x-scope-unless": unless, ...rest } = route;
  if (!access || !route.security)
    throw new Error(
      `${route.method.toUpperCase()} ${route.path} declares no scope: spread scoped(…), PUBLIC, SIGNED_IN or PASSWORD into its createRoute`,
    );
  const note = [
    access in SCOPE_NOTES ? SCOPE_NOTES[access as keyof typeof SCOPE_NOTES] : `Token scope: \`${access}\`.`,
    unless?.note,
  ]
    .filter(Boolean)
    .join(" ");
  const own = route.middleware === undefined ? [] : [route.middleware].flat();
  return {
    ...rest,
    "x-scope": access,
    description: route.description ? `${route.description}\n\n${note}` : note,
    responses:
      access === "public" ? route.responses : { 401: problems[401], 403: problems[403], ...route.responses },
    middleware: [enforce(access, unless, route), ...own],
  };
}

export function apiRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues;
        throw invalid(
          issues[0] ? `${issues[0].path.join(".") || "body"}: ${issues[0].message}` : "Invalid request",
          issues.map((i) => ({ field: i.path.join(".") || "body", message: i.message })),
        );
      }
    },
  });
  const register = router.openapi;
  router.openapi = ((route, handler, hook) =>
    register(declared(route) as unknown as typeof route, handler, hook)) as typeof register;
  return router;
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

export const problems = {
  400: problem("Invalid input"),
  401: problem("Authentication required or credentials invalid"),
  403: problem("Not allowed"),
  404: problem("Not found (or not visible to you)"),
  409: problem("Conflicts with existing state"),
  413: problem("Body too large"),
  415: problem("Body is not application/json"),
  429: problem("Rate limited"),
};

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export function requireUser(c: Context<AppEnv>): Account {
  const user = c.get("viewer").user;
  if (!user) {
    throw new AppError("unauthorized", "Authentication required", {
      headers: { "WWW-Authenticate": 'Bearer realm="Micelio"' },
    });
  }
  return user;
}

export function requireScope(viewer: Viewer, scope: Parameters<typeof hasScope>[1]) {
  if (!hasScope(viewer, scope)) throw forbidden(`This token lacks the ${scope} scope`);
}

export const UserSchema = z
  .object({
    id: z.string(),
    handle: z.string(),
    kind: z.enum(["user", "organization"]),
    name: z.string(),
    bio: z.string(),
    website: z.string(),
    links: z.record(z.string(), z.string()).openapi({
      description: "Social links keyed by network (x, github, gitlab, mastodon, bluesky, linkedin)",
    }),
    avatar_url: z
      .string()
      .openapi({ description: "Path of the avatar image (PNG, or the generated SVG identicon)" }),
    created_at: z.string(),
    email: z.string().nullable().optional(),
    email_verified: z.boolean().optional(),
    is_admin: z.boolean().optional(),
  })
  .openapi("User");

export const ProjectSchema = z
  .object({
    id: z.string(),
    owner: z.string(),
    owner_kind: z.enum(["user", "organization"]),
    handle: z.string(),
    full_name: z.string(),
    name: z.string(),
    description: z.string(),
    visibility: z.enum(["public", "private"]),
    created_at: z.string(),
    updated_at: z.string(),
    head_position: z.number().int(),
    parent: z
      .string()
      .nullable()
      .openapi({ description: "owner/project this is a fork of, if you can see it" }),
    stars_count: z.number().int(),
    forks_count: z.number().int().openapi({ description: "Forks you can see" }),
    protection: z.object({
      trunk_push: z.enum(["allowed", "sessions_only"]),
      land_role: z.enum(["write", "admin"]),
      require_review: z.boolean(),
    }),
    agents: z
      .object({
        landing: z.enum(["land", "review"]),
        max_generation_depth: z.number().int().nullable(),
        circuit_max_failures: z.number().int().nullable().openapi({
          description:
            "Failed validations of agents' sessions in an hour that pause agents (null: never by itself)",
        }),
        paused: z
          .object({ at: z.string(), by: z.string().nullable(), reason: z.string().nullable() })
          .nullable()
          .openapi({
            description: "While set, agents' sessions can neither open nor land (problem agents-paused)",
          }),
      })
      .openapi({
        description:
          "What happens to an agent's session that passes the quality gate (land, or wait for a maintainer's review), and the deepest chain of AI acting on AI output allowed (null: no cap)",
      }),
    permissions: z.object({ read: z.boolean(), write: z.boolean(), admin: z.boolean() }).optional(),
  })
  .openapi("Project");

export const OrgSchema = z
  .object({
    id: z.string(),
    handle: z.string(),
    kind: z.literal("organization"),
    name: z.string(),
    description: z.string(),
    created_at: z.string(),
    members_count: z.number().int().optional(),
  })
  .openapi("Organization");

export const MemberSchema = z
  .object({
    handle: z.string(),
    name: z.string(),
    role: z.enum(["owner", "member"]),
    since: z.string().optional(),
  })
  .openapi("Member");

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
    agent: z.boolean().describe("Used by an agent: its requests get the agent rate-limit tier"),
    projects: z
      .array(z.string())
      .nullable()
      .describe('The projects ("owner/name") the token is limited to; null: every project you may reach'),
    org: z.string().nullable().describe("The organization whose token this is; null for a personal token"),
  })
  .openapi("Token");

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    actor: z.string().nullable(),
    action: z.string(),
    target_type: z.string(),
    target_id: z.string(),
    target: z.string(),
    project_id: z.string().nullable(),
    ip: z.string(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi("AuditEntry");

export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30).optional(),
  offset: z.coerce.number().int().min(0).max(100_000).default(0).optional(),
});
