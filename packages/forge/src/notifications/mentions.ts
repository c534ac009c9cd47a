// @handle mentions in text (review comments, a session's messages and decisions): the handles,
// lower-cased, at most 20; an address (a@b.c) or a path (x/@y) is not a mention.
const MENTION = /(?:^|[^\w@/.-])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\b/g;

export function mentionedHandles(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    out.add(m[1]!.toLowerCase());
    if (out.size >= 20) break;
  }
  return [...out];
}
