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

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: { errors?: FieldError[]; [key: string]: unknown } = {},
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
