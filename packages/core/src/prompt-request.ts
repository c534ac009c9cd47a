// A prompt request: what an agent's session carries about how it was produced — the prompt
// (required when an agent opens the session), its system prompt, the environment it ran in,
// its cost and execution time, the earlier session whose prompt it revises, and the curated
// template it started from. Shared by the forge's API, the MCP tools and mic.
import { z } from "zod";

const sessionId = z.string().regex(/^[0-9A-Z]{26}$/, "a session id (26 characters)");

export const promptRequestSchema = z
  .object({
    text: z
      .string()
      .trim()
      .min(1, "the prompt is empty")
      .max(200_000)
      .describe("The prompt as given to the agent"),
    system: z.string().max(200_000).optional().describe("The system prompt, if any"),
    environment: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "environment keys: letters, digits, '_', '.', '-'"),
        z.union([z.string().max(1000), z.number(), z.boolean()]),
      )
      .refine((e) => Object.keys(e).length <= 50, "at most 50 environment entries")
      .optional()
      .describe("Where the agent ran: harness, tools, OS, … (at most 50 entries)"),
    cost_usd: z.number().min(0).max(1_000_000).optional().describe("What producing the change cost, in USD"),
    execution_ms: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40)
      .optional()
      .describe("How long the agent worked, in milliseconds"),
    revises: sessionId.optional().describe("The session (of this project) whose prompt this one revises"),
    template: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a template id: lowercase letters, digits and '-'")
      .optional()
      .describe("The id of the project's prompt template this prompt started from"),
  })
  .strict();

export type PromptRequest = z.infer<typeof promptRequestSchema>;

/** Sessions whose output the new session acts on (they decide its generation depth). */
export const contextSessionsSchema = z.array(sessionId).max(20);

/** The deepest generation a session may declare. */
export const MAX_GENERATION_DEPTH = 100;

/**
 * A session's generation depth: 0 for a person's session; for an agent's, one more than the
 * deepest AI-made session it acts on, at least 1, and at least what it declares.
 */
export function generationDepth(
  ai: boolean,
  declared: number | undefined,
  context: { origin: string; generation_depth: number }[],
): number {
  if (!ai) return 0;
  const fromContext = context
    .filter((s) => s.origin !== "human")
    .reduce((d, s) => Math.max(d, s.generation_depth + 1), 1);
  return Math.min(MAX_GENERATION_DEPTH, Math.max(fromContext, declared ?? 0));
}
