// Asks the chat-completions endpoint (llm/chat.ts) for a day's theme. The answer must be
// JSON matching the schema and pass the contrast check, or it is rejected with the reason.
import {
  type ChatMessage,
  chatCompletion,
  completionsUrl,
  LlmAnswerRejected,
  type LlmConfig,
} from "../llm/chat.ts";
import { contrastFailures, FIXED_SURFACES, MIN_CONTRAST } from "./contrast.ts";
import { FONT_NAMES, type Theme, themeSchema } from "./theme-schema.ts";

/** An answer that is not a usable theme (also any unusable chat-completions answer). */
export const ThemeRejected = LlmAnswerRejected;
export { completionsUrl };

export function themePrompt(day: string): ChatMessage[] {
  return [
    {
      role: "system",
      content: [
        "You design the visual theme of the day for Micelio, a git forge for people and AI agents.",
        "Answer with one JSON object only, no prose, with exactly these fields:",
        '{"name": short evocative name (max 40 chars), "description": one sentence (max 160 chars) explaining the day\'s personality,',
        '"palette": {"bg","fg","muted","accent","accentFg","border","card","danger"} as #rrggbb colours,',
        '"typeScale": {"base": body size in px from 14 to 18, "ratio": heading scale from 1.1 to 1.3},',
        `"font": one of ${FONT_NAMES.map((f) => JSON.stringify(f)).join(", ")}}.`,
        "bg is the page background, card the background of boxes and the header; fg is body text, muted secondary text,",
        "accent links and primary buttons (accentFg is the text on them), danger errors, border hairlines.",
        `Text must be readable (WCAG AA): fg, muted, accent and danger each at least ${MIN_CONTRAST}:1 against bg and card,`,
        `and accentFg at least ${MIN_CONTRAST}:1 against accent; fg, muted, accent and danger also on the light tints`,
        `${FIXED_SURFACES.join(", ")}. Use light backgrounds (bg and card): the design is light.`,
      ].join(" "),
    },
    { role: "user", content: `Today is ${day}. Create today's theme personality.` },
  ];
}

/** The first {...} object in the model's text (models sometimes wrap it in ``` fences). */
export function extractJson(text: string): unknown {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) throw new ThemeRejected("the answer holds no JSON object");
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new ThemeRejected("the answer's JSON does not parse");
  }
}

/** Validates a theme from any source (LLM answer, object store); throws ThemeRejected. */
export function validateTheme(raw: unknown): Theme {
  const parsed = themeSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ThemeRejected(`schema: ${i?.path.join(".")}: ${i?.message}`);
  }
  const failures = contrastFailures(parsed.data.palette);
  if (failures.length)
    throw new ThemeRejected(`unreadable (WCAG AA needs ${MIN_CONTRAST}:1): ${failures.join(", ")}`);
  return parsed.data;
}

/** Calls the endpoint and returns a validated theme; throws on timeout, HTTP error or rejection. */
export async function requestTheme(cfg: LlmConfig, day: string, signal?: AbortSignal): Promise<Theme> {
  const content = await chatCompletion(cfg, themePrompt(day), { temperature: 0.9, signal });
  return validateTheme(extractJson(content));
}
