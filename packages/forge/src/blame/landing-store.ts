// The database side of blame: a project's landings looked up by commit and by position
// (for the search in landing-map.ts), and the landings blame shows, with their sessions.
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { projectNames } from "../projects/project-names.ts";
import type { LandingStore } from "./landing-map.ts";

const CHUNK = 500;

/** A LandingStore over `landings`; positions looked up once per request are remembered. */
export function dbLandingStore(db: Db, projectId: string): LandingStore {
  const byPosition = new Map<number, { commit: string; parent: string | null } | undefined>();
  return {
    async head() {
      const row = await db
        .selectFrom("projects")
        .select("head_position")
        .where("id", "=", projectId)
        .executeTakeFirst();
      return row?.head_position ?? 0;
    },
    async at(position) {
      if (!byPosition.has(position)) {
        const row = await db
          .selectFrom("landings")
          .select(["commit_sha", "parent_sha"])
          .where("project_id", "=", projectId)
          .where("position", "=", position)
          .executeTakeFirst();
        byPosition.set(position, row && { commit: row.commit_sha, parent: row.parent_sha });
      }
      return byPosition.get(position);
    },
    async byCommits(shas) {
      const out = new Map<string, number>();
      for (let i = 0; i < shas.length; i += CHUNK) {
        const rows = await db
          .selectFrom("landings")
          .select(["commit_sha", "position"])
          .where("project_id", "=", projectId)
          .where("commit_sha", "in", shas.slice(i, i + CHUNK))
          .execute();
        for (const r of rows) {
          const seen = out.get(r.commit_sha);
          if (seen === undefined || r.position < seen) out.set(r.commit_sha, r.position);
        }
      }
      return out;
    },
  };
}

export interface BlameSession {
  id: string;
  goal: string;
  /** The handle of the person the session belongs to. */
  author: string;
  agent: { name: string; model: string | null; version: string | null } | null;
  origin: "human" | "ai-assisted" | "ai-generated";
  /**
   * "owner/project" holding the session: this project, or for a fork's inherited landings
   * its parent. Null when that other project is hidden from the viewer (or none was given).
   */
  project: string | null;
}

export interface BlameLanding {
  position: number;
  /** The landing commit: the trunk commit at this position. */
  commit: string;
  landedAt: Date;
  /** Null when the session has been deleted. */
  session: BlameSession | null;
}

/** The landings at `positions`, with their sessions (for `viewer`: see BlameSession.project). */
export async function landingDetails(
  db: Db,
  projectId: string,
  positions: number[],
  viewer?: Viewer,
): Promise<Map<number, BlameLanding>> {
  const out = new Map<number, BlameLanding>();
  const homes = new Map<number, string>(); // position → the session's project id
  for (let i = 0; i < positions.length; i += CHUNK) {
    const rows = await db
      .selectFrom("landings as l")
      .leftJoin("sessions as s", "s.id", "l.session_id")
      .select([
        "l.position",
        "l.commit_sha",
        "l.created_at",
        "s.id as session_id",
        "s.goal",
        "s.author_handle",
        "s.agent_name",
        "s.agent_model",
        "s.agent_version",
        "s.origin",
        "s.project_id as session_project",
      ])
      .where("l.project_id", "=", projectId)
      .where("l.position", "in", positions.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) {
      out.set(r.position, {
        position: r.position,
        commit: r.commit_sha,
        landedAt: new Date(r.created_at),
        session: r.session_id
          ? {
              id: r.session_id,
              goal: r.goal ?? "",
              author: r.author_handle ?? "",
              agent: r.agent_name
                ? { name: r.agent_name, model: r.agent_model ?? null, version: r.agent_version ?? null }
                : null,
              origin: r.origin ?? "human",
              project: null,
            }
          : null,
      });
      if (r.session_project) homes.set(r.position, r.session_project);
    }
  }
  const names = await projectNames(db, projectId, [...new Set(homes.values())], viewer);
  for (const [position, id] of homes) {
    const session = out.get(position)?.session;
    if (session) session.project = names.get(id) ?? null;
  }
  return out;
}
