// The refusals of a project's agent policy (trust/agent-limits.ts), as problem+json: each
// names its rule, the numbers it compared and, where waiting helps, when to retry
// (`retry_after` seconds, `retry_at`, and a Retry-After header).
import { AppError } from "../errors/app-error.ts";
import type { Tier } from "./agent-policy.ts";
import type { Duplicate } from "./near-duplicates.ts";

const wait = (until: Date, now: Date) => {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return { retry_after: seconds, retry_at: until.toISOString(), headers: { "Retry-After": String(seconds) } };
};

const inWords = (seconds: number) =>
  seconds < 120
    ? `${seconds} s`
    : seconds < 7200
      ? `${Math.ceil(seconds / 60)} min`
      : `${Math.ceil(seconds / 3600)} h`;

export function submissionQuota(
  tier: Tier,
  window: "day" | "week",
  limit: number,
  used: number,
  until: Date,
  now = new Date(),
) {
  const w = wait(until, now);
  return new AppError(
    "rate_limited",
    `Submission quota reached: agents at tier ${tier} may open ${limit} sessions per ${window} in this project (used ${used}); retry in ${inWords(w.retry_after)}`,
    { problem: "submission-quota", rule: `quotas.${tier}.${window}`, tier, window, limit, used, ...w },
  );
}

export function validationBackoff(failures: number, minutes: number, until: Date, now = new Date()) {
  const w = wait(until, now);
  return new AppError(
    "rate_limited",
    `Backing off after ${failures} failed validations in a row: wait ${minutes} min after the last failure (retry in ${inWords(w.retry_after)})`,
    { problem: "validation-backoff", rule: "backoff", failures, wait_minutes: minutes, ...w },
  );
}

export function coolingOff(minutes: number, until: Date, now = new Date()) {
  const w = wait(until, now);
  return new AppError(
    "rate_limited",
    `Cooling off for ${minutes} min after a rejected session: retry in ${inWords(w.retry_after)}`,
    { problem: "cooling-off", rule: "cooling_off_minutes", cooling_off_minutes: minutes, ...w },
  );
}

export const nearDuplicate = (kind: "prompt" | "diff", d: Duplicate, threshold: number) =>
  new AppError(
    "conflict",
    `Near-duplicate submission: this ${kind === "prompt" ? "prompt" : "change"} is ${Math.round(d.similarity * 100)}% similar to session ${d.session} by ${d.author}${d.agent ? ` (${d.agent})` : ""}, ${d.status}; the project refuses ${Math.round(threshold * 100)}% and above`,
    {
      problem: "near-duplicate",
      rule: `duplicates.${kind}_similarity`,
      kind,
      similar_to: d.session,
      similar_status: d.status,
      similarity: d.similarity,
      threshold,
    },
  );

export const tierInsufficient = (tier: Tier, passed: number, needed: number) =>
  new AppError(
    "forbidden",
    `Agents at tier sandbox may run the quality gate but not land: ${needed} passed validations reach tier small (this agent has ${passed}), or a trusted member vouches for it`,
    {
      problem: "tier-insufficient",
      rule: "tiers.small.min_passed",
      tier,
      passed_validations: passed,
      needed,
    },
  );

export function changeTooLarge(
  tier: Tier,
  size: { lines: number; files: number },
  max: { lines: number | null; files: number | null },
  next: { tier: Tier; min_passed: number } | null,
) {
  return new AppError(
    "forbidden",
    `The change is too large for tier ${tier}: ${size.lines} lines in ${size.files} files (at most ${max.lines ?? "any"} lines and ${max.files ?? "any"} files)${next ? `; tier ${next.tier} needs ${next.min_passed} passed validations` : ""}. Split it, or ask a maintainer to land it`,
    {
      problem: "change-too-large",
      rule: `tiers.${tier}`,
      tier,
      lines: size.lines,
      files: size.files,
      max_lines: max.lines,
      max_files: max.files,
      next_tier: next,
    },
  );
}
