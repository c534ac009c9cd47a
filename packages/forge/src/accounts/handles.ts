// Handles name users, organizations and projects in URLs. One namespace for users and
// organizations; compared case-insensitively; words the forge routes on are reserved.
import { z } from "zod";

export const RESERVED_HANDLES = new Set([
  "about",
  "account",
  "ap",
  "admin",
  "agents",
  "api",
  "assets",
  "auth",
  "blog",
  "dashboard",
  "docs",
  "explore",
  "favicon.ico",
  "health",
  "help",
  "legal",
  "login",
  "logout",
  "new",
  "nodeinfo",
  "offline",
  "notifications",
  "oauth",
  "org",
  "orgs",
  "organizations",
  "projects",
  "prompts",
  "quality",
  "ready",
  "robots.txt",
  "schemas",
  "search",
  "security",
  "session",
  "sessions",
  "settings",
  "signup",
  "sign-up",
  "signin",
  "sign-in",
  "skill.md",
  "static",
  "status",
  "support",
  "user",
  "users",
  "www",
  "micelio",
  "root",
  "system",
]);

export const HANDLE_RE = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}$/i;

/** Validates an account (user or organization) handle. */
export const accountHandle = z
  .string()
  .min(1, "Handle is required")
  .max(39, "Handle must be at most 39 characters")
  .regex(HANDLE_RE, "Handle may only contain letters, digits and single hyphens, not at the start or end")
  .refine((h) => !RESERVED_HANDLES.has(h.toLowerCase()), "This handle is reserved");

export const PROJECT_HANDLE_RE = /^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$/i;

/** Validates a project handle (the last URL segment of a project). */
export const projectHandle = z
  .string()
  .min(1, "Handle is required")
  .max(100, "Handle must be at most 100 characters")
  .regex(
    PROJECT_HANDLE_RE,
    "Handle may only contain letters, digits, '.', '_' and '-', and must start and end with a letter or digit",
  )
  .refine((h) => !h.toLowerCase().endsWith(".git"), "Handle must not end in .git")
  .refine((h) => !/\.\./.test(h), "Handle must not contain '..'")
  .refine((h) => !["settings", "new"].includes(h.toLowerCase()), "This handle is reserved");
