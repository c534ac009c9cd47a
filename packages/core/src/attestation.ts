// The one byte form of a JSON value that signatures cover: object keys sorted by UTF-16 code
// units (as JSON.stringify-then-sort would, and as RFC 8785 does), no whitespace, strings and
// numbers as JSON.stringify writes them, keys whose value is undefined left out. Only finite
// numbers are allowed (a signed record holds integers, strings, booleans and null). The same
// value gives the same bytes whatever order its keys were built in.
import { createHash, createPublicKey, verify } from "node:crypto";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

export function canonicalJson(value: Json): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("canonical JSON allows finite numbers only");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(",")}}`;
}

/** The canonical form's UTF-8 bytes: what is signed and hashed. */
export const canonicalBytes = (value: Json) => Buffer.from(canonicalJson(value), "utf8");

// Landing attestations (GET …/sessions/{id}/attestation; docs/adr/0025-contribution-attestation.md)
// and their offline check, shared by the forge's tests and `mic verify`.
export const CONTENT_TYPE = "micelio.session-content.v1";
export const RECORD_TYPE = "micelio.landing-attestation.v1";

export interface SignatureBlock {
  key_id: string;
  algorithm: "Ed25519";
  /** SPKI PEM. */
  public_key: string;
  /** base64 of the 64-byte Ed25519 signature. */
  signature: string;
}

export interface Attestation {
  record: { [key: string]: Json | undefined };
  /** base64 of canonicalJson(record): the bytes the forge signed. */
  signed_record: string;
  forge_signature: SignatureBlock;
  content: { [key: string]: Json | undefined };
  /** base64 of canonicalJson(content): the bytes the author's key signed. */
  signed_content: string;
  agent_signature: SignatureBlock | null;
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  forge_key: string | null;
  agent_key: string | null;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function verifyBlock(block: SignatureBlock, bytes: Buffer): boolean {
  try {
    const key = createPublicKey(block.public_key);
    if (key.asymmetricKeyType !== "ed25519") return false;
    return verify(null, bytes, key, Buffer.from(block.signature, "base64"));
  } catch {
    return false;
  }
}

/**
 * Checks an attestation with nothing but itself: the signed bytes are the canonical form of the
 * record and the content, the forge's signature covers the record, the record names the
 * content's digest and the author's key and signature, and that signature covers the content.
 * Whether the forge's key is the one the forge publishes (GET /api/v1/attestation-key) is for
 * the caller to compare (`expectForgeKey`).
 */
export function verifyAttestation(a: Attestation, expectForgeKey?: string): VerifyResult {
  const problems: string[] = [];
  const record = Buffer.from(a.signed_record ?? "", "base64");
  const content = Buffer.from(a.signed_content ?? "", "base64");
  if (!a.record || record.toString("utf8") !== canonicalJson(a.record as Json))
    problems.push("signed_record is not the canonical form of record");
  if (!a.content || content.toString("utf8") !== canonicalJson(a.content as Json))
    problems.push("signed_content is not the canonical form of content");
  if (a.record?.type !== RECORD_TYPE) problems.push(`record.type is not ${RECORD_TYPE}`);
  if (!a.forge_signature || !verifyBlock(a.forge_signature, record))
    problems.push("the forge's signature does not verify");
  if (expectForgeKey && a.forge_signature?.key_id !== expectForgeKey)
    problems.push(`signed by ${a.forge_signature?.key_id}, not the forge's key ${expectForgeKey}`);
  if (a.record?.content_sha256 !== sha256(content))
    problems.push("record.content_sha256 is not the content's digest");
  const named = a.record?.agent_signature as { key_id?: string; signature?: string } | null | undefined;
  if (a.agent_signature) {
    if (
      !named ||
      named.key_id !== a.agent_signature.key_id ||
      named.signature !== a.agent_signature.signature
    )
      problems.push("the record does not name this agent signature");
    if (!verifyBlock(a.agent_signature, content)) problems.push("the author's signature does not verify");
  } else if (named) problems.push("the record names an agent signature the attestation lacks");
  return {
    ok: problems.length === 0,
    problems,
    forge_key: a.forge_signature?.key_id ?? null,
    agent_key: a.agent_signature?.key_id ?? null,
  };
}
