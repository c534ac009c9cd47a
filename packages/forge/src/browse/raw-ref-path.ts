// The API's raw multi-segment form of {ref}/{path} (/projects/o/p/tree/feature/x/src/app.ts,
// slashes not sent as %2F), shared by the tree, blob and blame routes: which requests take
// it, and their owner, project and rest of the path, decoded.
import type { Context } from "hono";
import { notFound } from "../errors/app-error.ts";

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    throw notFound();
  }
};

/**
 * For a GET of /projects/{owner}/{project}/{kind}/… with more than two segments after {kind}:
 * the owner, the project and those segments joined by "/", each decoded (404 when one cannot
 * be). Null for any other request, which the documented {ref}/{path} routes answer.
 */
export function rawRefPath(
  c: Context,
  kind: string,
): { owner: string; project: string; rest: string } | null {
  const m = new RegExp(`/projects/([^/]+)/([^/]+)/${kind}/(.+)$`).exec(c.req.path);
  const segments = m?.[3]?.split("/") ?? [];
  if (c.req.method !== "GET" || !m || segments.length <= 2) return null;
  return { owner: decode(m[1]!), project: decode(m[2]!), rest: segments.map(decode).join("/") };
}
