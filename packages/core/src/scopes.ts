// Scopes a personal access token can carry (GitHub-like: a few, each a plain sentence).
// Web sessions and passwords act with every scope; a token only with those it was given.
// Every /api/v1 route declares the one it needs (forge/src/api/openapi.ts, scoped()).
export const SCOPES = [
  "project:read",
  "project:write",
  "session:write",
  "org:admin",
  "user",
  "admin",
] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "project:read": "Read private projects you have access to",
  "project:write": "Create, change, fork, star and push to projects",
  "session:write": "Open, sync, propose, land and comment on sessions",
  "org:admin": "Create organizations, edit them and manage their members",
  user: "Change your profile, email, follows, tokens and signed-in devices",
  admin: "Administer the instance (administrators only)",
};

export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);
