// Rows and service results as protobuf messages of micelio.sessions.v1, and the enum values
// both ways. The fields are those of the REST API's JSON (sessions-service.ts sessionJson).
import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { SessionRow } from "../sessions/session-types.ts";
import {
  Origin,
  type Session,
  SessionEventSchema,
  SessionSchema,
  SessionStatus,
} from "./gen/micelio/sessions/v1/sessions_pb.ts";

type StatusName = SessionRow["status"];
type OriginName = SessionRow["origin"];

const STATUSES: Record<StatusName, SessionStatus> = {
  open: SessionStatus.OPEN,
  landed: SessionStatus.LANDED,
  abandoned: SessionStatus.ABANDONED,
  rejected: SessionStatus.REJECTED,
};
const ORIGINS: Record<OriginName, Origin> = {
  human: Origin.HUMAN,
  "ai-assisted": Origin.AI_ASSISTED,
  "ai-generated": Origin.AI_GENERATED,
};

const nameOf = <K extends string, V>(table: Record<K, V>, value: V): K | undefined =>
  (Object.keys(table) as K[]).find((k) => table[k] === value);

/** The status's REST name, or undefined for UNSPECIFIED (no filter). */
export const statusName = (s: SessionStatus) => nameOf(STATUSES, s);
/** The origin's REST name, or undefined for UNSPECIFIED. */
export const originName = (o: Origin) => nameOf(ORIGINS, o);

const opt = <T>(v: T | null): T | undefined => v ?? undefined;
const optTime = (d: Date | null) => (d ? timestampFromDate(d) : undefined);

export function sessionMessage(s: SessionRow): Session {
  return create(SessionSchema, {
    id: s.id,
    goal: s.goal,
    status: STATUSES[s.status] ?? SessionStatus.UNSPECIFIED,
    statusReason: opt(s.status_reason),
    author: s.author_handle,
    agent: s.agent_name
      ? { name: s.agent_name, model: opt(s.agent_model), version: opt(s.agent_version) }
      : undefined,
    origin: ORIGINS[s.origin] ?? Origin.UNSPECIFIED,
    basePosition: s.base_position,
    baseCommit: opt(s.base_commit),
    landedPosition: opt(s.landed_position),
    landedCommit: opt(s.landed_commit),
    touchedPaths: s.touched_paths,
    linesAdded: s.lines_added,
    linesRemoved: s.lines_removed,
    tokensInput: BigInt(s.tokens_input),
    tokensOutput: BigInt(s.tokens_output),
    createdAt: timestampFromDate(s.created_at),
    updatedAt: timestampFromDate(s.updated_at),
    landedAt: optTime(s.landed_at),
    approvedBy: opt(s.approved_by),
    approvedAt: optTime(s.approved_at),
    source: s.source ? { project: s.source, session: opt(s.source_session_id) } : undefined,
    prompt:
      s.prompt === null
        ? undefined
        : {
            text: s.prompt,
            system: opt(s.system_prompt),
            environment: Object.fromEntries(
              Object.entries(s.environment ?? {}).map(([k, v]) => [
                k,
                typeof v === "string" ? v : JSON.stringify(v),
              ]),
            ),
            costUsd: s.cost_usd === null ? undefined : Number(s.cost_usd),
            executionMs: s.execution_ms === null ? undefined : BigInt(s.execution_ms),
            revises: opt(s.revises_id),
            template: opt(s.template_id),
          },
    generationDepth: s.generation_depth,
    readyForReviewAt: optTime(s.ready_at),
  });
}

/** An event as listEvents returns it ({seq, ...event, created_at}) as a SessionEvent. */
export function eventMessage(e: { seq: number; created_at: string; kind?: unknown; [k: string]: unknown }) {
  const { seq, created_at, ...data } = e;
  return create(SessionEventSchema, {
    seq,
    kind: String(data.kind ?? ""),
    data: data as JsonObject,
    createdAt: timestampFromDate(new Date(created_at)),
  });
}
