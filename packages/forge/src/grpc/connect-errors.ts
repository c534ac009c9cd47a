// The one place where the forge's error kinds (errors/app-error.ts) become gRPC/Connect codes.
// Every error carries a Problem detail with the REST API's problem type, title, HTTP status
// and field errors; a land conflict also carries a LandConflict detail (path, landing
// position, session, goal, author, agent of each conflicting landing) and comes back as
// ABORTED: a sync can help. Other conflicts (the session is closed, review required) are
// FAILED_PRECONDITION. Errors that are not the forge's own are logged and answered INTERNAL
// with a message that reveals nothing.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ErrorKind } from "../errors/app-error.ts";
import { isAppError, toProblem } from "../errors/problem.ts";
import type { ConflictDetail } from "../landing/land-types.ts";
import type { Logger } from "../ops/logger.ts";
import { ConflictSchema, LandConflictSchema, ProblemSchema } from "./gen/micelio/sessions/v1/sessions_pb.ts";

export const CODES: Record<ErrorKind, Code> = {
  invalid: Code.InvalidArgument,
  unauthorized: Code.Unauthenticated,
  forbidden: Code.PermissionDenied,
  not_found: Code.NotFound,
  conflict: Code.FailedPrecondition,
  too_large: Code.ResourceExhausted,
  unsupported_media_type: Code.InvalidArgument,
  rate_limited: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
};

const isConflictList = (v: unknown): v is ConflictDetail[] =>
  Array.isArray(v) && v.every((c) => typeof c === "object" && c !== null && typeof c.path === "string");

/** Any error thrown while serving a call, as the ConnectError the client receives. */
export function toConnectError(err: unknown, log?: Logger): ConnectError {
  if (err instanceof ConnectError) return err;
  if (!isAppError(err)) {
    log?.error({ err }, "gRPC call failed");
    return new ConnectError("Something went wrong on our side. It has been logged.", Code.Internal);
  }
  const problem = toProblem(err);
  const details: ConstructorParameters<typeof ConnectError>[3] = [
    {
      desc: ProblemSchema,
      value: {
        type: problem.type,
        title: problem.title,
        status: problem.status,
        errors: problem.errors ?? [],
      },
    },
  ];
  const conflicts = err.details.conflicts;
  let code = CODES[err.kind];
  if (err.kind === "conflict" && isConflictList(conflicts)) {
    code = Code.Aborted;
    details.push({
      desc: LandConflictSchema,
      value: {
        conflicts: conflicts.map((c) =>
          create(ConflictSchema, {
            path: c.path,
            position: c.position,
            sessionId: c.session_id ?? undefined,
            goal: c.goal ?? undefined,
            author: c.author ?? undefined,
            agent: c.agent ?? undefined,
          }),
        ),
      },
    });
  }
  // Headers the REST answer would carry (Retry-After, RateLimit-*) go along as metadata.
  const headers = err.details.headers as Record<string, string> | undefined;
  return new ConnectError(err.message, code, headers ? new Headers(headers) : undefined, details);
}
