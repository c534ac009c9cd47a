// What the session page's review needs besides the session: the first comments with what the
// viewer may do to each, and the counts (one grouped query), read in parallel.

import { hasScope, type Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import type { ProjectRole } from "../projects/access.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import {
  type CommentJson,
  commentJson,
  listComments,
  type ReviewCounts,
  reviewCounts,
} from "./comments-service.ts";

/** Comments shown on the page; the API pages through the rest. */
export const PAGE_COMMENTS = 200;

export type ReviewComment = CommentJson & { canResolve: boolean; canDelete: boolean };

export interface Review {
  comments: ReviewComment[];
  counts: ReviewCounts;
  canComment: boolean;
  /** The API path listing every comment. */
  api: string;
}

export async function sessionReview(
  db: Db,
  viewer: Viewer,
  p: ProjectWithOwner,
  role: ProjectRole,
  s: SessionRow,
): Promise<Review> {
  const [rows, counts] = await Promise.all([
    listComments(db, s.id, { limit: PAGE_COMMENTS }),
    reviewCounts(db, s.id),
  ]);
  const user = viewer.user;
  const canWrite = Boolean(user) && hasScope(viewer, "session:write");
  const resolver = canWrite && (role === "admin" || s.author_id === user?.id);
  return {
    comments: rows.map((r) => ({
      ...commentJson(r),
      canResolve: resolver,
      canDelete: canWrite && (role === "admin" || r.author_id === user?.id),
    })),
    counts,
    canComment: canWrite,
    api: `/api/v1/projects/${p.owner_handle}/${p.handle}/sessions/${s.id}/comments`,
  };
}
