// Does an agent's prompt itself look AI-generated? A deterministic, explainable heuristic run
// when the session opens; the first rule that matches gives the reason shown on the session
// (page badge, API `prompt_ai`), and a flagged session counts as acting on AI-generated
// context (generation 2 or more) for the cascade rule and the breaker's cascade share.
//
// 1. copied: the prompt (whitespace-collapsed, case-folded, at least 40 characters; its first
//    200 characters) appears in what an AI session of the same project produced in the last
//    30 days: an assistant message, an output or a decision event of a session with an
//    agent or a non-human origin.
// 2. marker: it contains a phrase typical of a chat model's answer rather than of a request
//    (MARKERS, e.g. "as an ai language model", "i hope this helps").
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { SessionRow } from "../sessions/session-types.ts";

export const MARKERS = [
  "as an ai language model",
  "as a large language model",
  "as an ai assistant",
  "i hope this helps",
  "let me know if you need any",
  "let me know if you have any",
  "certainly! here",
  "sure! here",
  "here's a revised",
  "here is a revised",
  "here's an improved prompt",
  "here is an improved prompt",
  "regenerate response",
] as const;

export const MIN_COPIED_CHARS = 40;
const NEEDLE_CHARS = 200;
const WINDOW_DAYS = 30;

export const normalizePrompt = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();

/** The marker rule alone (pure): the reason, or null. */
export function markerReason(prompt: string): string | null {
  const text = normalizePrompt(prompt).replace(/[’‘]/g, "'");
  const hit = MARKERS.find((m) => text.includes(m));
  return hit ? `the prompt contains "${hit}", a phrase typical of a chat model's answer` : null;
}

/** Why the session's prompt looks AI-generated, or null. */
export async function aiPromptReason(db: Db, session: SessionRow): Promise<string | null> {
  if (!session.prompt) return null;
  const norm = normalizePrompt(session.prompt);
  if (norm.length >= MIN_COPIED_CHARS) {
    const needle = norm.slice(0, NEEDLE_CHARS);
    const norm_ = (text: ReturnType<typeof sql>) => sql`regexp_replace(lower(${text}), '\\s+', ' ', 'g')`;
    const { rows } = await sql<{ id: string; kind: string }>`
      SELECT s.id, e.kind FROM sessions s
      JOIN session_events e ON e.session_id = s.id
      WHERE s.project_id = ${session.project_id} AND s.id <> ${session.id}
        AND (s.agent_name IS NOT NULL OR s.origin <> 'human')
        AND s.created_at > now() - make_interval(days => ${WINDOW_DAYS})
        AND (e.kind IN ('output', 'decision') OR (e.kind = 'message' AND e.data->>'role' = 'assistant'))
        AND strpos(${norm_(sql`e.data->>'text'`)}, ${needle}) > 0
      LIMIT 1`.execute(db);
    const hit = rows[0];
    if (hit)
      return `the prompt repeats the ${hit.kind === "message" ? "assistant's message" : hit.kind} of AI session ${hit.id}`;
  }
  return markerReason(session.prompt);
}

/** Sets the session's flag (when its prompt looks AI-generated); returns the row as stored. */
export async function flagAiPrompt(db: Db, session: SessionRow): Promise<SessionRow> {
  const reason = await aiPromptReason(db, session);
  if (!reason) return session;
  await db.updateTable("sessions").set({ prompt_ai_reason: reason }).where("id", "=", session.id).execute();
  return { ...session, prompt_ai_reason: reason };
}
