// Generation time against submission time. generated_at is when the agent says it produced
// the session's content (declared when the session is opened or landed; otherwise the time of
// the conversation's last event, taken when the land is requested); submitted_at is when the
// forge received the latest request to land it. An output submitted more than STALE_AFTER
// after it was generated is flagged stale: the trunk and the task may have moved on since.
import { invalid } from "../errors/app-error.ts";
export const STALE_AFTER_HOURS = 24;
const STALE_AFTER_MS = STALE_AFTER_HOURS * 3_600_000;

export interface Staleness {
  generated_at: string | null;
  submitted_at: string | null;
  /** Seconds from generation to submission; null while either is unknown. */
  gap_seconds: number | null;
  stale: boolean;
  threshold_hours: number;
}

export function staleness(s: { generated_at: Date | null; submitted_at: Date | null }): Staleness {
  const gap =
    s.generated_at && s.submitted_at
      ? Math.round((s.submitted_at.getTime() - s.generated_at.getTime()) / 1000)
      : null;
  return {
    generated_at: s.generated_at?.toISOString() ?? null,
    submitted_at: s.submitted_at?.toISOString() ?? null,
    gap_seconds: gap,
    stale: gap !== null && gap * 1000 > STALE_AFTER_MS,
    threshold_hours: STALE_AFTER_HOURS,
  };
}

/** "under a minute", "3 h", "2 d": a gap for people. */
export function formatGap(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 60) return "under a minute";
  if (abs < 120) return `${seconds} s`;
  if (abs < 7200) return `${Math.round(seconds / 60)} min`;
  if (abs < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** A declared generation time: not in the future (a minute of clock skew allowed). */
export function declaredGeneratedAt(iso: string, now = new Date()): Date {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime()) || at.getTime() > now.getTime() + 60_000)
    throw invalid("generated_at must be a time that has passed", [
      { field: "generated_at", message: "in the future" },
    ]);
  return at;
}
