// Maps errors to HTTP: RFC 9457 problem+json for the API. Unknown errors are logged and
// answered with a generic 500 that reveals nothing about the internals.
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ErrorKind } from "./app-error.ts";

export const STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

const TITLES: Record<ErrorKind, string> = {
  invalid: "Invalid request",
  unauthorized: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  conflict: "Conflict",
  too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  rate_limited: "Too many requests",
  unavailable: "Service unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  [key: string]: unknown;
}

export function toProblem(err: AppError, instance?: string): Problem {
  const status = STATUS[err.kind];
  return {
    type: `https://micelio.dev/problems/${err.details.problem ?? err.kind.replace(/_/g, "-")}`,
    title: TITLES[err.kind],
    status,
    detail: err.message,
    ...(instance ? { instance } : {}),
    ...Object.fromEntries(
      Object.entries(err.details).filter(([k, v]) => v !== undefined && k !== "headers" && k !== "problem"),
    ),
  };
}

export function internalProblem(instance?: string): Problem {
  return {
    type: "about:blank",
    title: "Internal server error",
    status: 500,
    detail: "Something went wrong on our side. It has been logged.",
    ...(instance ? { instance } : {}),
  };
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
