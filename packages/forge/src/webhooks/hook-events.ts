// The events a webhook may subscribe to, and the JSON every delivery carries (version 1):
//   { "version": 1, "delivery": id, "event": name, "timestamp": ISO time it was sent,
//     "project": { "owner", "name", "url" }, "data": { …the event's own fields } }
// (an organization's own events, `member`, carry "organization": { "name", "url" } instead).
// Events come from the project's event stream (sessions/project-events.ts), so a hook sees
// what the `…/events` API shows, in order, and nothing of a project its owner cannot read.
export const HOOK_EVENTS = [
  "push",
  "tag",
  "session.created",
  "session.landed",
  "session.conflicted",
  "session.rejected",
  "session.review_requested",
  "session.commented",
  "validation.finished",
  "star",
  "fork",
  "review.over_capacity",
  "agents.paused",
  "member",
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export const HOOK_EVENT_HELP: Record<HookEvent, string> = {
  push: "a push moved a branch",
  tag: "a push created or moved a tag",
  "session.created": "a session was opened",
  "session.landed": "a session landed on trunk",
  "session.conflicted": "a land was refused by a conflict",
  "session.rejected": "a maintainer rejected a session",
  "session.review_requested": "a session passed the quality gate and waits for a person's review",
  "session.commented": "a review comment on a session",
  "validation.finished": "the quality gate finished a run",
  star: "someone starred the project",
  fork: "someone forked the project",
  "review.over_capacity": "the review queue outgrew the maintainers' weekly budget",
  "agents.paused": "the circuit breaker paused agents' contributions",
  member: "the organization's members changed (organization hooks)",
};

export const PAYLOAD_VERSION = 1;

export interface HookPayload {
  version: number;
  delivery: string;
  event: string;
  timestamp: string;
  project?: { owner: string; name: string; url: string };
  organization?: { name: string; url: string };
  data: Record<string, unknown>;
}

/** One line saying what happened, for chat formats and the delivery log. */
export function describeEvent(p: Pick<HookPayload, "event" | "project" | "organization" | "data">): string {
  const d = p.data;
  const who = typeof d.actor === "string" ? d.actor : typeof d.author === "string" ? d.author : null;
  const goal = typeof d.goal === "string" ? `: ${d.goal}` : "";
  const where = p.project ? `${p.project.owner}/${p.project.name}` : (p.organization?.name ?? "");
  const what = HOOK_EVENT_HELP[p.event as HookEvent] ?? p.event;
  return `[${where}] ${what}${who ? ` (${who})` : ""}${goal}`;
}

/** Where a payload happened: its project's or organization's name and page. */
export const placeOf = (p: Pick<HookPayload, "project" | "organization">) =>
  p.project
    ? { name: `${p.project.owner}/${p.project.name}`, url: p.project.url }
    : { name: p.organization?.name ?? "", url: p.organization?.url ?? "" };
