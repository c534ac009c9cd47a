// Who is making a request: the signed-in user (if any), what their credential allows, and
// where the request came from. Services decide access from this alone.
import type { Scope } from "@micelio/core";
import type { Account } from "../db/schema.ts";

export interface Viewer {
  user: Account | null;
  /** "all" for web sessions and passwords; a token's scopes otherwise. */
  scopes: "all" | readonly Scope[];
  ip: string;
  /** The request came with a token marked as an agent's (its own rate-limit tier). */
  agent?: boolean;
  /** The credential behind it, so long-lived responses can check it still holds. */
  credential?: { kind: "token" | "session"; id: string } | { kind: "password" };
  /** A project token's limit: only these projects exist for it (projects/access.ts). */
  projects?: ProjectLimit;
}

/**
 * The projects a token is limited to (ids), and for an organization's token the org that must
 * own them. Every project outside it answers as if it did not exist, public ones included.
 */
export interface ProjectLimit {
  ids: readonly string[];
  org: string | null;
}

/** Whether the viewer's credential may reach the project at all (true when not limited). */
export const withinLimit = (v: Viewer, project: { id: string; owner_id: string }) =>
  !v.projects ||
  (v.projects.ids.includes(project.id) && (v.projects.org === null || project.owner_id === v.projects.org));

export const anonymous = (ip = ""): Viewer => ({ user: null, scopes: [], ip });

export const hasScope = (v: Viewer, scope: Scope) =>
  v.user !== null && (v.scopes === "all" || v.scopes.includes(scope));

/** An administrator acting with full powers (web session, password, or an admin-scoped token). */
export const isAdmin = (v: Viewer) => Boolean(v.user?.is_admin) && hasScope(v, "admin");
