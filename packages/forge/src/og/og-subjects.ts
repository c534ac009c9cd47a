// What each kind of Open Graph card shows, read from the database (and trunk's head for a
// project's language). Callers have already checked that the viewer may see the subject;
// cards say nothing a page of the same subject would not (public project counts only).
import { sql } from "kysely";
import { listRefs } from "../browse/git-read.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import type { Forge } from "../http/context.ts";
import { dominantLanguage } from "../meta/meta-service.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import type { OgCard } from "./og-card.ts";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const fullName = (p: ProjectWithOwner) => `${p.owner_handle}/${p.handle}`;
const ORIGIN: Record<string, string> = {
  human: "Human",
  "ai-assisted": "AI-assisted",
  "ai-generated": "AI-generated",
};

async function avatarOf(db: Db, accountId: string | null, fallback: string): Promise<OgCard["avatar"]> {
  const a = accountId
    ? await db
        .selectFrom("accounts")
        .select(["id", "handle", "avatar"])
        .where("id", "=", accountId)
        .executeTakeFirst()
    : undefined;
  return a
    ? { accountId: a.id, handle: a.handle, hash: a.avatar }
    : { accountId: "", handle: fallback, hash: null };
}

async function trunkLanguage(forge: Forge, p: ProjectWithOwner): Promise<string | undefined> {
  if (!forge.repos.exists(p.id)) return undefined;
  const dir = forge.repos.dir(p.id);
  const refs = await listRefs(dir);
  const head = refs.branches.find((b) => b.name === refs.defaultBranch);
  return head ? dominantLanguage(dir, head.commit) : undefined;
}

export async function projectCard(forge: Forge, p: ProjectWithOwner): Promise<OgCard> {
  const language = await trunkLanguage(forge, p);
  return {
    kind: "project",
    context: p.parent_full_name ? `project · fork of ${p.parent_full_name}` : "project",
    title: fullName(p),
    description: p.description || `${p.name} on Micelio`,
    facts: [
      plural(p.stars_count, "star"),
      plural(p.head_position, "landing"),
      ...(language ? [language] : []),
    ],
    badge: p.visibility === "private" ? "private" : undefined,
    avatar: await avatarOf(forge.db, p.owner_id, p.owner_handle),
  };
}

export async function accountCard(db: Db, a: Account): Promise<OgCard> {
  const isOrg = a.kind === "org";
  const row = await db
    .selectFrom("projects")
    .select(sql<string | number>`count(*)`.as("n"))
    .where("owner_id", "=", a.id)
    .where("visibility", "=", "public")
    .executeTakeFirstOrThrow();
  const name = a.display_name || a.handle;
  return {
    kind: isOrg ? "org" : "user",
    context: `${name === a.handle ? "" : `@${a.handle} · `}${isOrg ? "organization" : "user"}`,
    title: name,
    description: a.bio || `${name} on Micelio`,
    facts: [plural(Number(row.n), "public project"), `joined ${new Date(a.created_at).getUTCFullYear()}`],
    avatar: { accountId: a.id, handle: a.handle, hash: a.avatar },
  };
}

const agentOf = (name: string | null, model: string | null) =>
  name ? (model ? `${name} ${model}` : name) : null;

export async function sessionCard(db: Db, p: ProjectWithOwner, s: SessionRow): Promise<OgCard> {
  const agent = agentOf(s.agent_name, s.agent_model);
  return {
    kind: "session",
    context: `${fullName(p)} · session`,
    title: s.goal,
    description: `By ${s.author_handle}${agent ? ` with ${agent}` : ""}, from position ${s.base_position}${
      s.landed_position !== null ? `, landed at position ${s.landed_position}` : ""
    }.`,
    facts: [
      `+${s.lines_added} −${s.lines_removed}`,
      plural(s.touched_paths, "file"),
      ...(agent ? [agent] : []),
      ORIGIN[s.origin] ?? s.origin,
    ],
    badge: s.status,
    avatar: await avatarOf(db, s.author_id, s.author_handle),
  };
}

export interface LandingFacts {
  position: number;
  commit: string;
  paths: number;
  goal: string | null;
  author: string | null;
  authorId: string | null;
  agent: string | null;
  origin: string | null;
}

/** The landing at `position` on the project's trunk, or undefined. */
export async function findLanding(
  db: Db,
  projectId: string,
  position: number,
): Promise<LandingFacts | undefined> {
  const r = await db
    .selectFrom("landings as l")
    .leftJoin("sessions as s", "s.id", "l.session_id")
    .select([
      "l.position",
      "l.commit_sha",
      "l.paths_count",
      "s.goal",
      "s.author_handle",
      "s.author_id",
      "s.agent_name",
      "s.agent_model",
      "s.origin",
    ])
    .where("l.project_id", "=", projectId)
    .where("l.position", "=", position)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    position: r.position,
    commit: r.commit_sha,
    paths: r.paths_count,
    goal: r.goal,
    author: r.author_handle,
    authorId: r.author_id,
    agent: agentOf(r.agent_name, r.agent_model),
    origin: r.origin,
  };
}

export async function landingCard(db: Db, p: ProjectWithOwner, l: LandingFacts): Promise<OgCard> {
  return {
    kind: "landing",
    context: `${fullName(p)} · landing #${l.position}`,
    title: l.goal ?? `Landing #${l.position}`,
    description: `Landed on trunk at position ${l.position} as commit ${l.commit.slice(0, 10)}${
      l.author ? ` by ${l.author}` : ""
    }${l.agent ? ` with ${l.agent}` : ""}.`,
    facts: [
      `#${l.position}`,
      plural(l.paths, "file"),
      ...(l.agent ? [l.agent] : []),
      ...(l.origin ? [ORIGIN[l.origin] ?? l.origin] : []),
    ],
    badge: "landed",
    avatar: l.authorId
      ? await avatarOf(db, l.authorId, l.author ?? p.owner_handle)
      : await avatarOf(db, p.owner_id, p.owner_handle),
  };
}
