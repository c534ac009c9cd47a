// What makes two errors "the same": their kind, their name, their message with the parts that
// vary (numbers, ids, quoted values, paths of temporary files) taken out, and the functions and
// files of their top stack frames without line numbers. The id is a hash of that.
import { createHash } from "node:crypto";

export function normalizeMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>")
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, "<ulid>")
    .replace(/\b[0-9a-f]{16,}\b/gi, "<hex>")
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, "<str>")
    .replace(/\/tmp\/[^\s:]+/g, "<tmp>")
    .replace(/\d+/g, "<n>")
    .slice(0, 500);
}

/** The top frames of a stack as "function (file)", without line and column numbers. */
export function topFrames(stack: string | undefined | null, n = 3): string[] {
  if (!stack) return [];
  return stack
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .slice(0, n)
    .map((l) =>
      l
        .trim()
        .replace(/^at /, "")
        .replace(/:\d+:\d+\)?$/, "")
        .replace(/file:\/\/\S*\/(packages\/)/, "$1")
        .replace(/\(\S*\/(packages\/)/, "($1"),
    );
}

export function fingerprint(kind: string, name: string, message: string, stack?: string | null): string {
  const parts = [kind, name, normalizeMessage(message), ...topFrames(stack)];
  return createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 32);
}
