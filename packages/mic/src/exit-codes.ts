// mic's exit codes, stable for scripts and agents: one meaning each, so a loop can branch on
// the code alone. The forge's answers are mapped here, in one place (exitForProblem).
export const EXIT = {
  /** Done. */
  ok: 0,
  /** mic refused the command itself: bad arguments, not in a checkout, no session, nothing to land. */
  usage: 1,
  /** Not found, forbidden, or not logged in (a missing, wrong or expired token). */
  notFound: 2,
  /** Conflict: trunk moved under the session; `mic sync` (then `mic land`) can help. */
  conflict: 3,
  /** The server cannot be reached, timed out, failed (5xx) or asks to wait (429): try again later. */
  unreachable: 4,
  /** Review pending: a maintainer must approve the session before it lands; syncing will not help. */
  reviewPending: 5,
  /** The session is closed on the server (landed, abandoned, rejected); the checkout has been healed. */
  sessionClosed: 6,
  /**
   * The forge refused the change or request as invalid: secrets found, too large, a bad value,
   * a name already taken, a proposal from a project that is not a fork (syncing will not help).
   */
  refused: 7,
  /**
   * The quality gate refused the session: the project's validation steps (.micelio/checks.yml)
   * scored below its minimum. Fix what the failing steps report, then land again.
   */
  validationFailed: 8,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
    /** Extra fields for the --json error document (e.g. the forge's problem details). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const PROBLEMS = "https://micelio.dev/problems/";

/** The forge's problem `type` without its prefix ("session-closed", "conflict", …), if it is one of ours. */
export function problemName(details: Record<string, unknown> | undefined): string | undefined {
  const type = details?.type;
  return typeof type === "string" && type.startsWith(PROBLEMS) ? type.slice(PROBLEMS.length) : undefined;
}

/** The exit code for a forge answer: its problem type first, its HTTP status otherwise. */
export function exitForProblem(status: number, type: string | undefined): number {
  switch (type) {
    case "session-closed":
      return EXIT.sessionClosed;
    case "review-required":
      return EXIT.reviewPending;
    case "validation-failed":
      return EXIT.validationFailed;
    case "invalid-checks-config":
    case "generation-depth-exceeded":
    case "agents-paused":
    case "near-duplicate":
    case "tier-insufficient":
    case "change-too-large":
    case "secrets-found":
    case "handle-taken":
    case "not-a-fork":
    case "base-not-in-parent":
      return EXIT.refused;
    case "trunk-protected":
      return EXIT.notFound;
  }
  if (status >= 500 || status === 429) return EXIT.unreachable;
  if (status === 409) return EXIT.conflict;
  if (status === 400 || status === 413 || status === 415 || status === 422) return EXIT.refused;
  return EXIT.notFound;
}
