// The conversation of a session: an ordered, append-only list of typed events. One zod
// schema validates them in the forge and in mic; the forge also serves it as JSON Schema.
import { z } from "zod";

const text = (max: number) => z.string().max(max);

export const SESSION_EVENT_KINDS = [
  "prompt",
  "message",
  "decision",
  "tool_call",
  "status",
  "progress",
  "output",
  "error",
  "artifact",
] as const;

export const sessionEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("prompt"), text: text(200_000), tokens: z.number().int().min(0).optional() }),
  z.object({
    kind: z.literal("message"),
    role: z.enum(["user", "assistant", "system", "tool"]),
    text: text(200_000),
    tokens: z.number().int().min(0).optional(),
  }),
  z.object({ kind: z.literal("decision"), text: text(10_000), rationale: text(10_000).optional() }),
  z.object({
    kind: z.literal("tool_call"),
    tool: text(200),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    ok: z.boolean().optional(),
  }),
  z.object({ kind: z.literal("status"), status: text(100), text: text(10_000).optional() }),
  z.object({
    kind: z.literal("progress"),
    text: text(10_000),
    done: z.number().min(0).optional(),
    total: z.number().min(0).optional(),
  }),
  z.object({ kind: z.literal("output"), text: text(200_000) }),
  z.object({ kind: z.literal("error"), text: text(10_000), code: text(100).optional() }),
  z.object({
    kind: z.literal("artifact"),
    name: text(300),
    url: z.string().url().max(2000).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    content_type: z
      .string()
      .max(100)
      .regex(/^[\w.+-]+\/[\w.+-]+$/)
      .optional(),
    size: z.number().int().min(0).optional(),
    /** Uploaded to the forge (POST …/sessions/{id}/artifacts): served at …/artifacts/{sha256}. */
    stored: z.boolean().optional(),
  }),
]);

export type SessionEvent = z.infer<typeof sessionEventSchema>;

export const agentSchema = z.object({
  name: z.string().trim().min(1).max(100),
  model: z.string().trim().min(1).max(100).optional(),
  version: z.string().trim().max(100).optional(),
});

export const ORIGINS = ["human", "ai-assisted", "ai-generated"] as const;

/** The event schema as JSON Schema (draft 2020-12), served at /api/v1/schemas/session-event.json. */
export const sessionEventJsonSchema = () => z.toJSONSchema(sessionEventSchema, { target: "draft-2020-12" });
