// Scopes a personal access token can carry.
export const SCOPES = ["project:read", "project:write", "session:write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "project:read": "Read private projects you have access to",
  "project:write": "Create, change and push to projects",
  "session:write": "Open and land sessions",
  admin: "Administer the instance (administrators only)",
};

export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);
