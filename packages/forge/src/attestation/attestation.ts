// Origin claims signed twice (docs/adr/0025-contribution-attestation.md). When a session is
// submitted to land, its author may sign the canonical form of its content — project, session,
// goal, origin, agent, a digest of the prompt, base commit, the session's tree and generation
// time — with an Ed25519 key registered on their account (signing-keys.ts); the forge checks
// the signature then and keeps it. Once landed, the forge signs the landing record (what landed
// where and when, the origin, the content's digest and the author's signature) with its
// instance key (forge-key.ts). Both signatures and both public keys travel in the attestation,
// which verifyAttestation (@micelio/core) or openssl checks offline.
import { createHash, createPublicKey, sign, verify } from "node:crypto";
import { z } from "@hono/zod-openapi";
import {
  type Attestation,
  CONTENT_TYPE,
  canonicalBytes,
  canonicalJson,
  type Json,
  RECORD_TYPE,
} from "@micelio/core";
import { sql } from "kysely";
import { conflict, invalid } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import type { Forge } from "../http/context.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { landedCommit } from "../sessions/landed-commit.ts";
import { sessionRef } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { forgeKey } from "./forge-key.ts";
import { activeKey, pemOf } from "./signing-keys.ts";
import { declaredGeneratedAt, staleness } from "./staleness.ts";

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

export const submissionSchema = z
  .object({
    generated_at: z.string().datetime({ offset: true }).optional().openapi({
      description:
        "When the agent produced the content (default: as declared at open, else the last event's time)",
    }),
    signature: z
      .object({
        key_id: z
          .string()
          .max(100)
          .openapi({ description: "A signing key registered on the author's account" }),
        signature: z
          .string()
          .max(200)
          .openapi({ description: "base64 Ed25519 signature of the signing payload" }),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The tree of the session's own commit (refs/sessions/<id>), or null before any change. */
export async function sessionTree(forge: Forge, p: ProjectWithOwner, s: SessionRow): Promise<string | null> {
  if (!forge.repos.exists(p.id)) return null;
  const repo = forge.git.get(forge.repos.dir(p.id));
  const commit = await repo.resolveCommit(sessionRef(s.id));
  return commit ? (await repo.readCommit(commit)).tree : null;
}

/** What the author signs: the session's content in canonical form. */
export function contentPayload(
  p: ProjectWithOwner,
  s: SessionRow,
  tree: string | null,
  generatedAt: Date | null,
): { [key: string]: Json } {
  return {
    type: CONTENT_TYPE,
    project: `${p.owner_handle}/${p.handle}`,
    session: s.id,
    author: s.author_handle,
    goal: s.goal,
    origin: s.origin,
    agent: s.agent_name ? { name: s.agent_name, model: s.agent_model, version: s.agent_version } : null,
    prompt_sha256: s.prompt === null ? null : sha256(s.prompt),
    base_commit: s.base_commit,
    tree,
    generated_at: generatedAt?.toISOString() ?? null,
  };
}

/** The payload to sign for a land with this generation time, and its canonical text. */
export async function signingPayload(forge: Forge, p: ProjectWithOwner, s: SessionRow, generatedAt?: string) {
  const at = generatedAt ? declaredGeneratedAt(generatedAt) : (s.generated_at ?? null);
  const payload = contentPayload(p, s, await sessionTree(forge, p, s), at);
  return { payload, canonical: canonicalJson(payload) };
}

/**
 * A land request's submission: records submitted_at (now), the generation time (declared,
 * else as declared before, else the conversation's last event), and the author's signature
 * over the content once it verifies against one of their active keys (400 otherwise).
 */
export async function recordSubmission(forge: Forge, p: ProjectWithOwner, s: SessionRow, input: unknown) {
  const data = requireValid(submissionSchema, input ?? {});
  let generatedAt = data.generated_at ? declaredGeneratedAt(data.generated_at) : s.generated_at;
  // The conversation's last event: read first only when a signature must cover it; otherwise
  // the update below takes it in the same statement (one query fewer on every land).
  const lastEvent = sql<Date | null>`(SELECT max(created_at) FROM session_events WHERE session_id = ${s.id})`;
  if (!generatedAt && data.signature) {
    const last = await forge.db
      .selectFrom("session_events")
      .select(sql<Date | null>`max(created_at)`.as("at"))
      .where("session_id", "=", s.id)
      .executeTakeFirst();
    generatedAt = last?.at ? new Date(last.at) : null;
  }
  let signed: string | null = null;
  if (data.signature) {
    const refuse = (message: string) => invalid(`signature: ${message}`, [{ field: "signature", message }]);
    if (!s.author_id) throw refuse("the session has no author account to hold a key");
    const key = await activeKey(forge.db, s.author_id, data.signature.key_id);
    if (!key) throw refuse(`no active signing key ${data.signature.key_id} on ${s.author_handle}'s account`);
    const payload = contentPayload(p, s, await sessionTree(forge, p, s), generatedAt);
    const sig = Buffer.from(data.signature.signature, "base64");
    const publicKey = createPublicKey({
      key: Buffer.from(key.public_key, "base64"),
      format: "der",
      type: "spki",
    });
    if (sig.length !== 64 || !verify(null, canonicalBytes(payload), publicKey, sig))
      throw refuse("does not verify over the session's signing payload (GET …/signing-payload)");
    signed = JSON.stringify({
      key_id: key.id,
      public_key: key.public_key,
      signature: sig.toString("base64"),
      content: payload,
      signed_at: new Date().toISOString(),
    });
  }
  await forge.db
    .updateTable("sessions")
    .set({
      generated_at: generatedAt ?? lastEvent,
      submitted_at: new Date(),
      ...(signed ? { content_signature: signed } : {}),
    })
    .where("id", "=", s.id)
    .where("status", "=", "open")
    .execute();
}

interface StoredSignature {
  key_id: string;
  public_key: string;
  signature: string;
  content: { [key: string]: Json };
}

/** The attestation of a landed session: the record, the content, both signatures and keys. */
export async function attestation(forge: Forge, p: ProjectWithOwner, s: SessionRow): Promise<Attestation> {
  if (s.status !== "landed" || !s.landed_commit || s.landed_at === null)
    throw conflict("Only a landed session has an attestation");
  const tree = await sessionTree(forge, p, s);
  const stored = s.content_signature as StoredSignature | null;
  // The author's signature counts when it covers the content that landed (changes uploaded
  // after signing make it stale, and it is left out).
  const signedHolds = stored !== null && stored.content.tree === tree;
  const content = signedHolds ? stored.content : contentPayload(p, s, tree, s.generated_at);
  const agentSignature = signedHolds
    ? {
        key_id: stored.key_id,
        algorithm: "Ed25519" as const,
        public_key: pemOf(stored.public_key),
        signature: stored.signature,
      }
    : null;
  const landed = forge.repos.exists(p.id)
    ? await landedCommit(forge.git.get(forge.repos.dir(p.id)), s.landed_commit)
    : {};
  const time = staleness(s);
  const contentBytes = canonicalBytes(content);
  const record: { [key: string]: Json } = {
    type: RECORD_TYPE,
    forge: forge.config.publicUrl ?? null,
    project: `${p.owner_handle}/${p.handle}`,
    project_id: p.id,
    session: s.id,
    goal: s.goal,
    author: s.author_handle,
    agent: s.agent_name ? { name: s.agent_name, model: s.agent_model, version: s.agent_version } : null,
    origin: s.origin,
    base_position: s.base_position,
    base_commit: s.base_commit,
    landed_position: s.landed_position,
    landed_commit: s.landed_commit,
    landed_tree: landed.tree ?? null,
    landed_at: s.landed_at.toISOString(),
    generated_at: time.generated_at,
    submitted_at: time.submitted_at,
    stale: time.stale,
    content_sha256: sha256(contentBytes),
    agent_signature: agentSignature
      ? { key_id: agentSignature.key_id, signature: agentSignature.signature }
      : null,
  };
  const key = await forgeKey(forge.db, forge.secrets);
  const recordBytes = canonicalBytes(record);
  return {
    record,
    signed_record: recordBytes.toString("base64"),
    forge_signature: {
      key_id: key.keyId,
      algorithm: "Ed25519",
      public_key: key.publicKeyPem,
      signature: sign(null, recordBytes, key.privateKey).toString("base64"),
    },
    content,
    signed_content: contentBytes.toString("base64"),
    agent_signature: agentSignature,
  };
}
