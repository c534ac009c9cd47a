// Prompt templates: a project's curated prompts (bug fix, feature, refactor, …) that agents
// name by id when they open a session. The id and kind rules and the {{placeholder}} reader,
// shared by the forge's API, the MCP tools and mic.

export const TEMPLATE_KINDS = ["bug-fix", "feature", "refactor", "docs", "test", "other"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/** A template id: a slug, unique within its project. */
export const TEMPLATE_ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The most placeholders reported for one template. */
export const MAX_PLACEHOLDERS = 50;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*\}\}/g;

/** The names of a template body's `{{placeholders}}`, each once, in order of first use. */
export function templatePlaceholders(body: string): string[] {
  const seen = new Set<string>();
  for (const m of body.matchAll(PLACEHOLDER)) {
    seen.add(m[1]!);
    if (seen.size >= MAX_PLACEHOLDERS) break;
  }
  return [...seen];
}
