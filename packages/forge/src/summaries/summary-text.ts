// The model's answer made into one line for a card: code fences, quotes, a "Summary:" label
// and markdown emphasis taken off, whitespace and control characters folded into single
// spaces, cut at a word near MAX_SUMMARY characters. An empty or rambling answer is refused.
import { LlmAnswerRejected } from "../llm/chat.ts";

export const MAX_SUMMARY = 200;
/** Longer answers are not a one-line summary: refused rather than cut. */
export const MAX_ANSWER_CHARS = 600;

export function cleanSummary(answer: string): string {
  let s = answer
    .replace(/```[a-z]*\n?/gi, " ")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  s = s
    .replace(/\*\*|__|`/g, "")
    .replace(/^(?:one-line )?summary\s*:\s*/i, "")
    .trim();
  for (const [open, close] of [
    ['"', '"'],
    ["'", "'"],
    ["\u201c", "\u201d"],
  ] as const)
    if (s.length >= 2 && s.startsWith(open) && s.endsWith(close)) s = s.slice(1, -1).trim();
  if (!s) throw new LlmAnswerRejected("the summary is empty");
  const chars = Array.from(s);
  if (chars.length > MAX_ANSWER_CHARS)
    throw new LlmAnswerRejected(`the summary is longer than ${MAX_ANSWER_CHARS} characters`);
  if (chars.length <= MAX_SUMMARY) return s;
  const cut = chars.slice(0, MAX_SUMMARY - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > MAX_SUMMARY / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}\u2026`;
}
