// The JSON shape of blame (its OpenAPI schema) and the conversion from the service's view.
// Lines point at their commit (details in `commits`) and landing position; hunks carry the
// landing with its session inline, so one pass over `hunks` gives the whole attribution.
import { z } from "@hono/zod-openapi";
import type { BlameView } from "./blame-service.ts";
import type { BlameLanding } from "./landing-store.ts";

const SessionSchema = z
  .object({
    id: z.string(),
    goal: z.string(),
    author: z.string().openapi({ description: "Handle of the person the session belongs to" }),
    agent: z
      .object({ name: z.string(), model: z.string().nullable(), version: z.string().nullable() })
      .nullable(),
    origin: z.enum(["human", "ai-assisted", "ai-generated"]),
    project: z.string().nullable().openapi({
      description:
        "owner/project holding the session when it is not this project (a fork's landings inherited from its parent) and you may read it; else null",
    }),
  })
  .openapi("BlameSession");

const LandingSchema = z
  .object({
    position: z.number().int(),
    commit: z.string().openapi({ description: "The landing commit on trunk" }),
    landed_at: z.string(),
    session: SessionSchema.nullable().openapi({ description: "Null when the session was deleted" }),
  })
  .openapi("BlameLanding");

const CommitSchema = z
  .object({
    sha: z.string(),
    author: z.object({ name: z.string(), email: z.string() }),
    date: z.string().openapi({ description: "Author date" }),
    summary: z.string(),
    path: z.string().openapi({ description: "The file's path in this commit (differs after a rename)" }),
    position: z.number().int().nullable().openapi({
      description:
        "The landing that brought this commit to trunk; null for history from before the first landing, or off trunk",
    }),
  })
  .openapi("BlameCommit");

export const BlameSchema = z
  .object({
    ref: z.string(),
    commit: z.string().openapi({ description: "The commit the ref resolved to" }),
    path: z.string(),
    line_count: z.number().int(),
    complete: z.boolean().openapi({
      description: "False when the landing search ran out of time: some lines may lack their landing",
    }),
    lines: z.array(
      z
        .object({
          line: z.number().int(),
          content: z.string().optional().openapi({ description: "Omitted with content=false" }),
          commit: z.string(),
          original_line: z.number().int().openapi({ description: "The line's number in `commit`" }),
          position: z.number().int().nullable(),
          session_id: z.string().nullable(),
        })
        .openapi("BlameLine"),
    ),
    hunks: z.array(
      z
        .object({
          start: z.number().int(),
          end: z.number().int(),
          position: z.number().int().nullable(),
          landing: LandingSchema.nullable().openapi({
            description: "Null for lines without a landing: see commits[commits[0]]",
          }),
          commits: z.array(z.string()),
        })
        .openapi("BlameHunk"),
    ),
    commits: z.record(z.string(), CommitSchema),
  })
  .openapi("Blame");

export type BlameJson = z.infer<typeof BlameSchema>;

export const landingJson = (l: BlameLanding) => ({
  position: l.position,
  commit: l.commit,
  landed_at: l.landedAt.toISOString(),
  session: l.session,
});

export function blameJson(v: BlameView, withContent: boolean): BlameJson {
  const landing = (p: number | null) => (p === null ? null : (v.landings.get(p) ?? null));
  return {
    ref: v.loc.ref,
    commit: v.loc.commit,
    path: v.loc.path,
    line_count: v.lines.length,
    complete: v.complete,
    lines: v.lines.map((l) => {
      const position = v.commits.get(l.commit)?.position ?? null;
      return {
        line: l.line,
        ...(withContent ? { content: l.content } : {}),
        commit: l.commit,
        original_line: l.originalLine,
        position,
        session_id: landing(position)?.session?.id ?? null,
      };
    }),
    hunks: v.hunks.map((h) => {
      const l = landing(h.position);
      return {
        start: h.start,
        end: h.end,
        position: h.position,
        landing: l && landingJson(l),
        commits: h.commits,
      };
    }),
    commits: Object.fromEntries(
      [...v.commits].map(([sha, c]) => [
        sha,
        {
          sha,
          author: c.author,
          date: c.date.toISOString(),
          summary: c.summary,
          path: c.filename || v.loc.path,
          position: c.position,
        },
      ]),
    ),
  };
}
