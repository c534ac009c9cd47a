// What each kind of Open Graph card shows, read from the database (and trunk's head for a
// project's language). Callers have already checked that the viewer may see the subject;
// cards say nothing a page of the same subject would not (public project counts only).
import { sql } from "kysely";
import type { CommitInfo } from "../browse/git-history.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import type { Forge } from "../http/context.ts";
import { trunkFacts } from "../meta/meta-service.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { resolveRef } from "../repos/git-layer/ref-cache.ts";
import { sessionRef } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { type ChangeFacts, type ChangeRange, changeFacts, commitRange } from "../summaries/change-range.ts";
import { changeSummary, type StoredSummary } from "../summaries/change-summary.ts";
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

export async function projectCard(forge: Forge, p: ProjectWithOwner): Promise<OgCard> {
  const { language } = await trunkFacts(forge, p, { language: true, license: false });
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

export interface CardChange {
  facts?: ChangeFacts;
  summary?: StoredSummary;
}

/** The change's facts, and its summary when `summarize`, if the project's repository holds it. */
async function change(
  forge: Forge,
  p: ProjectWithOwner,
  range: ChangeRange | null,
  goal: string | null,
  summarize = true,
): Promise<CardChange> {
  if (!range || !forge.repos.exists(p.id)) return {};
  const dir = forge.repos.dir(p.id);
  const facts = await changeFacts(dir, range).catch(() => undefined);
  if (!facts) return {}; // a commit gone meanwhile (a session replaced): the card without it
  // The summary is a bonus: a failure to look it up draws the card without it.
  const summary = summarize
    ? await changeSummary(forge, p, range, goal).catch((err) => {
        forge.log.warn({ err, project: p.id }, "change summary lookup failed");
        return undefined;
      })
    : undefined;
  return { facts, summary };
}

const lines = (f: ChangeFacts) => `+${f.added} \u2212${f.removed}`;

/** A session's change (its base to its commit) with its summary, for its card and its page. */
export async function sessionChangeOf(forge: Forge, p: ProjectWithOwner, s: SessionRow): Promise<CardChange> {
  // Read in process (the ref's file or packed-refs): a session page starts no git.
  const head = forge.repos.exists(p.id) ? await resolveRef(forge.repos.dir(p.id), sessionRef(s.id)) : null;
  const range = head && head !== s.base_commit ? { base: s.base_commit, head } : null;
  // A session's change is summarized once it has landed: before, every upload is a new change.
  return change(forge, p, range, s.goal, s.status === "landed");
}

/** The agent-progress card: goal, summary, commits, lines, files (the biggest listed), agent. */
export async function sessionCard(
  forge: Forge,
  p: ProjectWithOwner,
  s: SessionRow,
  known?: CardChange,
): Promise<OgCard> {
  const agent = agentOf(s.agent_name, s.agent_model);
  const { facts, summary } = known ?? (await sessionChangeOf(forge, p, s));
  return {
    kind: "session",
    context: `${fullName(p)} · session by ${s.author_handle}`,
    title: s.goal,
    description:
      summary?.text ??
      `By ${s.author_handle}${agent ? ` with ${agent}` : ""}, from position ${s.base_position}${
        s.landed_position !== null ? `, landed at position ${s.landed_position}` : ""
      }.`,
    facts: [
      ...(facts ? [plural(facts.commits, "commit")] : []),
      `+${s.lines_added} \u2212${s.lines_removed}`,
      plural(s.touched_paths, "file"),
      ...(agent ? [agent] : []),
      ORIGIN[s.origin] ?? s.origin,
    ],
    files: facts?.top,
    badge: s.status,
    avatar: await avatarOf(forge.db, s.author_id, s.author_handle),
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

/** The landing at a position on the project's trunk, or the one that made a commit; or undefined. */
export async function findLanding(
  db: Db,
  projectId: string,
  at: { position: number } | { commit: string },
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
    .where((eb) =>
      "position" in at ? eb("l.position", "=", at.position) : eb("l.commit_sha", "=", at.commit),
    )
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

export async function landingCard(forge: Forge, p: ProjectWithOwner, l: LandingFacts): Promise<OgCard> {
  const range = forge.repos.exists(p.id) ? await commitRange(forge.repos.dir(p.id), l.commit) : null;
  const { facts, summary } = await change(forge, p, range, l.goal);
  const landed = `Landed on trunk at position ${l.position} as commit ${l.commit.slice(0, 10)}${
    l.author ? ` by ${l.author}` : ""
  }${l.agent ? ` with ${l.agent}` : ""}.`;
  return {
    kind: "landing",
    context: `${fullName(p)} · landing #${l.position}`,
    title: l.goal ?? `Landing #${l.position}`,
    description: summary?.text ?? landed,
    facts: [
      `#${l.position}`,
      ...(facts ? [lines(facts)] : []),
      plural(l.paths, "file"),
      ...(l.agent ? [l.agent] : []),
      ...(l.origin ? [ORIGIN[l.origin] ?? l.origin] : []),
    ],
    files: facts?.top,
    badge: "landed",
    avatar: l.authorId
      ? await avatarOf(forge.db, l.authorId, l.author ?? p.owner_handle)
      : await avatarOf(forge.db, p.owner_id, p.owner_handle),
  };
}

/** A commit that is not a landing (a branch's, a tag's): subject, summary or body, files. */
export async function commitCard(forge: Forge, p: ProjectWithOwner, c: CommitInfo): Promise<OgCard> {
  const range = { base: c.parents[0] ?? null, head: c.sha };
  const { facts, summary } = await change(forge, p, range, null);
  const body = c.message.slice(c.subject.length).trim();
  const day = c.author.date.toISOString().slice(0, 10);
  return {
    kind: "commit",
    context: `${fullName(p)} · commit ${c.sha.slice(0, 7)}`,
    title: c.subject || `Commit ${c.sha.slice(0, 7)}`,
    description: summary?.text ?? (body || `By ${c.author.name} on ${day}.`),
    facts: [
      ...(facts ? [lines(facts), plural(facts.files, "file")] : []),
      c.author.name,
      day,
      ...(c.parents.length > 1 ? ["merge"] : []),
    ],
    files: facts?.top,
    badge: p.visibility === "private" ? "private" : undefined,
    avatar: await avatarOf(forge.db, null, c.author.name || p.owner_handle),
  };
}
