// Which API routes a project token may call (tokens/project-tokens.ts), by route family. The
// project check itself is in projects/access.ts; this keeps account-level routes, which are
// about no one project, away from a token meant for a few:
// - a project's own routes (/projects/{owner}/{project}/…, /user/starred/{owner}/{project}):
//   allowed, and the project must be one of the token's (404 otherwise), but forking, which
//   makes a new project, is refused;
// - public routes (search, project lists, profiles, agents…): allowed; they answer what an
//   anonymous visitor would see, with the token's own projects added and every other project
//   (public ones too) left out of project lists;
// - a few signed-in reads: who the token belongs to (GET /user), the home feed (filtered to
//   the token's projects); a token may always revoke itself (DELETE /tokens/{id}, its own id);
// - everything else (creating projects, tokens, orgs, settings, notifications, stars lists,
//   instance quality, administration): refused, 403.

const ALLOWED = new Set(["GET /user", "GET /user/feed"]);
const REFUSED = new Set(["POST /projects/{owner}/{project}/forks"]);

/** Whether a project-limited token may call the route `method path` declared with `access`. */
export function projectTokenMay(method: string, path: string, access: string): boolean {
  const key = `${method.toUpperCase()} ${path}`;
  if (path.startsWith("/admin") || REFUSED.has(key)) return false;
  if (ALLOWED.has(key)) return true;
  if (/\/\{owner\}\/\{project\}(\/|$)/.test(path)) return true;
  return access === "public";
}
