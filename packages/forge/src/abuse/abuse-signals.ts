// The abuse signals and the pure parts of judging them: what each signal means, and how
// many links a description or README holds. The counting against the database is in
// abuse-service.ts; the queue they feed is review-store.ts.

export const SIGNALS = {
  signups_per_ip: "Many sign-ups from one address",
  projects_per_hour: "Many projects created within an hour",
  link_heavy: "A description or README full of links",
  failed_pushes: "Repeated failed pushes",
} as const;
export type Signal = keyof typeof SIGNALS;

export const HOUR_SECONDS = 3600;

// A link: an http(s) URL, a www. address, or a markdown/HTML link target that is one.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>()"'\]]+/gi;

/** How many links `text` holds (each URL counted once per occurrence). */
export function countLinks(text: string): number {
  return text.match(LINK)?.length ?? 0;
}
