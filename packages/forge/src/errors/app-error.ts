// The handful of error kinds every layer raises; the HTTP layer maps them to status codes
// in one place (errors/problem.ts). Messages are safe to show to the user.
export type ErrorKind =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable";

/**
 * Specific problem types refining a kind: the problem's `type` becomes
 * https://micelio.dev/problems/<problem> instead of the kind's, so clients can branch on what
 * happened (mic maps each to its own exit code). Raised through the helpers below.
 */
export type ProblemType =
  | "session-closed"
  | "review-required"
  | "land-conflict"
  | "sync-conflict"
  | "secrets-found"
  | "trunk-protected"
  | "invalid-checks-config"
  | "validation-failed"
  | "generation-depth-exceeded"
  | "agents-paused"
  | "submission-quota"
  | "validation-backoff"
  | "cooling-off"
  | "near-duplicate"
  | "tier-insufficient"
  | "change-too-large"
  | "handle-taken"
  | "not-a-fork"
  | "base-not-in-parent";

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: { errors?: FieldError[]; problem?: ProblemType; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const invalid = (message: string, errors?: FieldError[]) =>
  new AppError("invalid", message, { errors });
export const notFound = (what = "Not found") => new AppError("not_found", what);
export const forbidden = (message = "You do not have permission to do that") =>
  new AppError("forbidden", message);
export const conflict = (message: string, errors?: FieldError[]) =>
  new AppError("conflict", message, { errors });
export const unauthorized = (message = "Authentication required") => new AppError("unauthorized", message);

/** The session is no longer open (landed, abandoned or rejected): `session_status` says which. */
export const sessionClosed = (status: string, message = `The session is ${status}`) =>
  new AppError("conflict", message, { problem: "session-closed", session_status: status });
/** The owner already has a project with that handle (creating or forking). */
export const handleTaken = (message: string, errors?: FieldError[]) =>
  new AppError("conflict", message, { problem: "handle-taken", errors });

/** The project requires an approval before this session may land. */
export const reviewRequired = (message: string, extra: Record<string, unknown> = {}) =>
  new AppError("conflict", message, { ...extra, problem: "review-required" });

/** The session would be deeper in a chain of AI acting on AI output than the project allows. */
export const generationDepthExceeded = (depth: number, max: number) =>
  new AppError(
    "forbidden",
    `This session would be generation ${depth} (AI acting on AI output); the project allows at most ${max}`,
    { problem: "generation-depth-exceeded", generation_depth: depth, max_generation_depth: max },
  );

/** The project has paused AI contributions (its maintainers, or its circuit breaker). */
export const agentsPaused = (p: {
  agents_paused_at: Date;
  agents_paused_reason: string | null;
  agents_paused_by: string | null;
}) =>
  new AppError(
    "forbidden",
    `Agents' contributions to this project are paused${p.agents_paused_reason ? `: ${p.agents_paused_reason}` : ""}; a maintainer must resume them`,
    {
      problem: "agents-paused",
      paused_at: p.agents_paused_at.toISOString(),
      paused_by: p.agents_paused_by,
      reason: p.agents_paused_reason,
    },
  );
