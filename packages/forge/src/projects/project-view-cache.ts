// Projects as read-only views see them (the browse pages, their JSON, blame, code search, the
// session, session list and activity pages, MCP's read tools), kept in process: a warm page
// costs no query to find its project and the viewer's role in it. Keyed by owner, handle and
// the kind of viewer the answer depends on (anonymous and scope-less viewers share one entry;
// signed-in users and administrators have their own; project tokens are never cached). The
// access check still runs on every request: what is kept is the row and the role
// projects/access.ts computed from it, and every entry is dropped whenever what it was
// computed from may have changed: at once by this process's writes to projects, accounts or
// org_members (db/db.ts onTableWrite, before the writer's next request), and in every process
// on commit (migration 0046's triggers send on the bus's "projects" channel; 0022's send
// accounts and memberships on "auth"; a lost bus connection drops everything). A landing
// moves head_position, so it drops the cache too. The TTL (60 s) only bounds a write the
// triggers could not see (none known).
import { hasScope, isAdmin, type Viewer } from "../accounts/viewer.ts";
import { onTableWrite } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import { RowCache } from "../db/row-cache.ts";
import type { ProjectRole } from "./access.ts";
import type { ProjectWithOwner } from "./projects-service.ts";

export const PROJECTS_CHANNEL = "projects";

/** The cache's view of a viewer: null for one whose answers are never kept. */
export function viewerClass(viewer: Viewer): string | null {
  if (viewer.projects) return null; // a project token: rare, and its limit is part of the answer
  const user = viewer.user;
  if (!user) return "-";
  if (isAdmin(viewer)) return `admin:${user.id}`;
  if (hasScope(viewer, "project:read") || hasScope(viewer, "project:write")) return `user:${user.id}`;
  return "-"; // a token without project scopes sees what anonymous visitors see
}

export const viewKey = (viewerKey: string, owner: string, handle: string) =>
  `${viewerKey}\0${owner.toLowerCase()}\0${handle.toLowerCase()}`;

/** The process's cache (MICELIO_PROJECT_CACHE_ENTRIES, 10,000 by default; 0 turns it off). */
export const projectViews = new RowCache<{ project: ProjectWithOwner; role: ProjectRole }>(
  Number(process.env.MICELIO_PROJECT_CACHE_ENTRIES ?? 10_000),
  60_000,
);

const READ_FROM = new Set(["projects", "accounts", "org_members"]);
onTableWrite((table) => {
  if (READ_FROM.has(table)) projectViews.clear();
});

/** Keeps the cache true across processes: any message on "projects" or "auth" drops it all. */
export function syncProjectViews(bus: Pick<NotifyBus, "subscribe">): () => void {
  const drop = () => projectViews.clear();
  const stops = [bus.subscribe(PROJECTS_CHANNEL, drop), bus.subscribe("auth", drop)];
  return () => {
    for (const stop of stops) stop();
  };
}
