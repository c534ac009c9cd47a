// What each project badge says: its label, its value and its colour, from the project's
// landing statistics, its star count and its licence at trunk's head.
import type { Forge } from "../http/context.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { type BadgeInput, COLORS } from "./badge-svg.ts";
import { landingStats, trunkFacts } from "./meta-service.ts";

export const BADGE_KINDS = ["stars", "landings", "last-landing", "agents", "license"] as const;
export type BadgeKind = (typeof BADGE_KINDS)[number];

export const isBadgeKind = (k: string): k is BadgeKind => (BADGE_KINDS as readonly string[]).includes(k);

const DAY = 86_400_000;

/** "today", "yesterday", "3 days ago", "2 weeks ago", "5 months ago", "2 years ago". */
export function relativeDate(then: Date, now: Date = new Date()): string {
  const days = Math.floor((now.getTime() - then.getTime()) / DAY);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  const unit = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"} ago`;
  if (days < 14) return unit(days, "day");
  if (days < 60) return unit(Math.floor(days / 7), "week");
  if (days < 365) return unit(Math.floor(days / 30), "month");
  return unit(Math.floor(days / 365), "year");
}

/** 1234 → "1.2k", 2500000 → "2.5M": short like shields.io. */
export function metric(n: number): string {
  if (n < 1000) return String(n);
  const [div, suffix] = n < 1e6 ? [1e3, "k"] : n < 1e9 ? [1e6, "M"] : [1e9, "G"];
  const v = n / div;
  return `${v < 10 ? Math.floor(v * 10) / 10 : Math.floor(v)}${suffix}`;
}

function ageColor(then: Date, now: Date): string {
  const days = (now.getTime() - then.getTime()) / DAY;
  return days < 7
    ? COLORS.green
    : days < 30
      ? COLORS.yellowgreen
      : days < 180
        ? COLORS.yellow
        : COLORS.orange;
}

/** The label, value and colour of the badge `kind` for a project the viewer may read. */
export async function badgeFor(
  forge: Forge,
  project: ProjectWithOwner,
  kind: BadgeKind,
  now: Date = new Date(),
): Promise<BadgeInput> {
  switch (kind) {
    case "stars":
      return { label: "stars", value: metric(project.stars_count), color: COLORS.blue };
    case "landings": {
      const s = await landingStats(forge.db, project.id);
      return { label: "landings", value: metric(s.landings), color: s.landings ? COLORS.blue : COLORS.grey };
    }
    case "last-landing": {
      const s = await landingStats(forge.db, project.id);
      return s.lastLanding
        ? {
            label: "last landing",
            value: relativeDate(s.lastLanding, now),
            color: ageColor(s.lastLanding, now),
          }
        : { label: "last landing", value: "never", color: COLORS.grey };
    }
    case "agents": {
      const s = await landingStats(forge.db, project.id);
      if (!s.landings) return { label: "by agents", value: "no landings", color: COLORS.grey };
      return {
        label: "by agents",
        value: `${Math.round((100 * s.byAgents) / s.landings)}%`,
        color: COLORS.blue,
      };
    }
    case "license": {
      const { license } = await trunkFacts(forge, project);
      if (!license) return { label: "license", value: "not specified", color: COLORS.grey };
      return { label: "license", value: license, color: license === "unknown" ? COLORS.grey : COLORS.blue };
    }
  }
}
