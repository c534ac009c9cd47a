// Schemas of the administration API (admin-manage-api.ts), and the invite link's address.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Pagination } from "../api/openapi.ts";
import type { AppEnv } from "../http/context.ts";
import { REGISTRATION_MODES } from "./registration.ts";

export const tags = ["admin"];
export const Handle = z.object({ handle: z.string().max(100) });
export const OwnerProject = z.object({ owner: z.string().max(100), project: z.string().max(200) });
export const Search = Pagination.extend({ q: z.string().max(200).optional() });

export const AdminAccountSchema = z
  .object({
    id: z.string(),
    handle: z.string(),
    kind: z.enum(["user", "organization"]),
    name: z.string(),
    email: z.string().nullable(),
    is_admin: z.boolean(),
    suspended: z.boolean(),
    suspended_at: z.string().nullable(),
    suspended_reason: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("AdminAccount");

export const AdminProjectSchema = z
  .object({
    id: z.string(),
    owner: z.string(),
    handle: z.string(),
    full_name: z.string(),
    name: z.string(),
    visibility: z.enum(["public", "private"]),
    hidden_by_suspension: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("AdminProject");

export const OverviewSchema = z
  .object({
    accounts: z.object({ users: z.number(), organizations: z.number(), suspended: z.number() }),
    projects: z.object({ public: z.number(), private: z.number() }),
    sessions_landed: z.number(),
    repository_disk: z.object({ bytes: z.number(), measured_at: z.string() }),
    jobs: z.object({ queued: z.number(), dead: z.number(), by_state: z.record(z.string(), z.number()) }),
    recent_errors: z.array(
      z.object({
        source: z.enum(["job", "landing"]),
        at: z.string(),
        subject: z.string(),
        message: z.string(),
      }),
    ),
  })
  .openapi("InstanceOverview");

export const InviteSchema = z
  .object({
    id: z.string(),
    note: z.string(),
    created_by: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
    used_at: z.string().nullable(),
    used_by: z.string().nullable(),
    state: z.enum(["valid", "used", "expired"]),
  })
  .openapi("Invite");

export const RegistrationSchema = z.object({ mode: z.enum(REGISTRATION_MODES) }).openapi("Registration");

export const inviteUrl = (c: Context<AppEnv>, token: string) =>
  `${(c.get("forge").config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "")}/signup?invite=${encodeURIComponent(token)}`;
