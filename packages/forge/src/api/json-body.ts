// Checks a JSON request body before any API route sees it, whichever route it goes to (a
// route that declares no body must not act on a malformed one either): no Content-Encoding
// (the API does not inflate bodies, so a gzip body would be read as text), well-formed UTF-8
// (the platform decoder would silently turn bad bytes into U+FFFD and store them), nesting
// at most MAX_JSON_DEPTH deep (deeper values reach recursive code: JSON.stringify, zod, the
// database's jsonb), and valid JSON. Runs after the body cap, so it never reads past it.
import type { MiddlewareHandler } from "hono";
import { AppError, invalid } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";

/** How deep arrays and objects may nest in an API request body. */
export const MAX_JSON_DEPTH = 64;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export const checkJsonBody = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const length = c.req.header("content-length");
  const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
  if (!hasBody || !JSON_TYPE.test(c.req.header("content-type") ?? "")) return next();
  const encoding = c.req.header("content-encoding");
  if (encoding !== undefined && !/^\s*identity\s*$/i.test(encoding)) {
    throw new AppError("unsupported_media_type", "Send the request body without a Content-Encoding");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await c.req.arrayBuffer());
  } catch {
    throw invalid("The request body is not valid UTF-8");
  }
  if (text.trim() === "") return next();
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw invalid(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`);
  }
  try {
    JSON.parse(text);
  } catch {
    throw invalid("The request body is not valid JSON");
  }
  // The route's validator reads the text from here (without it Hono would make a Response of
  // the cached bytes to decode them again).
  (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
  await next();
};

/** The deepest nesting of [ and { outside strings, in one pass with no recursion. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}
