// Helpers for web routes: page metadata from the request, form fields as strings, and
// turning a service error into per-field messages for re-rendering a form.
import type { Context } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { pageUrl } from "../meta/urls.ts";
import type { PageMeta } from "./layout.tsx";

export function meta(c: Context<AppEnv>, title: string, description?: string): PageMeta {
  return {
    title,
    description,
    user: c.get("viewer").user,
    csrfToken: c.get("csrfToken"),
    url: pageUrl(c),
    theme: c.get("forge").theme?.current() ?? null,
    unread: c.get("unread"),
  };
}

export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x) => typeof x === "string").join(",");
  }
  return out;
}

export async function formList(c: Context<AppEnv>, name: string): Promise<string[]> {
  const body = await c.req.parseBody({ all: true });
  const v = body[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
    (x): x is string => typeof x === "string",
  );
}

export interface FormFailure {
  status: 400 | 403 | 404 | 409 | 413 | 415 | 429;
  message: string;
  fields: Record<string, string>;
}

/** Converts an expected service error into what a form shows; rethrows anything else. */
export function formFailure(err: unknown): FormFailure {
  if (!(err instanceof AppError) || !["invalid", "conflict", "forbidden"].includes(err.kind)) throw err;
  const fields: Record<string, string> = {};
  for (const e of err.details.errors ?? []) if (!fields[e.field]) fields[e.field] = e.message;
  const status = err.kind === "invalid" ? 400 : err.kind === "conflict" ? 409 : 403;
  return { status, message: err.message, fields };
}
