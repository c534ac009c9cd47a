// Shared pieces for JSON API routes: the OpenAPIHono factory (validation failures become
// problem+json), the response schemas every route reuses, and the auth guards.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import type { Account } from "../db/schema.ts";
import { AppError, forbidden, invalid } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";

export function apiRouter() {
  return new OpenAPIHono<AppEnv>({
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

export const SECURED: Record<string, string[]>[] = [
  { bearerAuth: [] },
  { basicAuth: [] },
  { cookieAuth: [] },
];

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
