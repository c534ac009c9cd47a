// What every search accepts: the query text (1–256 characters, one line of text; tsquery and
// regex metacharacters are fine because the text is only ever a bound parameter or a `-e`
// argument), the page size, and an opaque cursor. Bad input is a 400, never a 500.
// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { invalid } from "../errors/app-error.ts";

export const MAX_QUERY_LENGTH = 256;
export const MAX_OFFSET = 10_000;
export const DEFAULT_LIMIT = 20;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Any C0 control character but tab (so also NUL and line breaks), or DEL. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

export const queryText = z
  .string({ message: "q is required" })
  .trim()
  .min(1, "q is required")
  .max(MAX_QUERY_LENGTH, `q must be at most ${MAX_QUERY_LENGTH} characters`)
  .refine((q) => !hasControlCharacter(q), "q must be one line without control characters")
  .refine((q) => !LONE_SURROGATE.test(q), "q must be valid Unicode text");

export const PROJECT_SORTS = ["relevance", "stars", "recent"] as const;
export type ProjectSort = (typeof PROJECT_SORTS)[number];

export const limitParam = z.coerce
  .number({ message: "limit must be a number" })
  .int("limit must be a whole number")
  .min(1, "limit must be at least 1")
  .max(100, "limit must be at most 100");

/** Where a page starts: an offset into the ranked list, and which list (text or similar names). */
export interface Cursor {
  offset: number;
  mode: "text" | "similar";
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ o: c.offset, m: c.mode === "similar" ? "s" : "t" })).toString(
    "base64url",
  );
}

const cursorShape = z.object({
  o: z.number().int().min(0).max(MAX_OFFSET),
  m: z.enum(["t", "s"]),
});

/** The cursor from a previous answer; 400 when it is not one we made. */
export function decodeCursor(raw: string | undefined): Cursor {
  if (raw === undefined || raw === "") return { offset: 0, mode: "text" };
  let parsed: unknown;
  try {
    if (raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error("bad");
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw invalid("cursor is not valid; use next_cursor from a previous answer", [
      { field: "cursor", message: "not a cursor from this API" },
    ]);
  }
  const ok = cursorShape.safeParse(parsed);
  if (!ok.success) {
    throw invalid("cursor is not valid; use next_cursor from a previous answer", [
      { field: "cursor", message: "not a cursor from this API" },
    ]);
  }
  return { offset: ok.data.o, mode: ok.data.m === "s" ? "similar" : "text" };
}

/** The cursor of the page after this one, or null when this page was the last. */
export function nextCursor(cursor: Cursor, got: number, limit: number): string | null {
  const offset = cursor.offset + limit;
  return got > limit && offset <= MAX_OFFSET ? encodeCursor({ offset, mode: cursor.mode }) : null;
}

/** `%text%` for LIKE with the text's own wildcards escaped. */
export const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
