// Canonical JSON is stable whatever order keys were built in (a property test), and an
// attestation verifies offline until any signed field is changed.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Attestation,
  canonicalBytes,
  canonicalJson,
  type Json,
  RECORD_TYPE,
  verifyAttestation,
} from "./attestation.ts";

const json: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 5 }),
  ),
})).value as fc.Arbitrary<Json>;

/** The same value with every object's keys in reversed (or shuffled) order. */
function reorder(v: Json, pick: (keys: string[]) => string[]): Json {
  if (Array.isArray(v)) return v.map((x) => reorder(x, pick));
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, Json> = {};
  // Defined, not assigned: a key "__proto__" stays a key (assignment would set the prototype).
  for (const k of pick(Object.keys(v)))
    Object.defineProperty(out, k, { value: reorder(v[k] as Json, pick), enumerable: true, writable: true });
  return out;
}

describe("canonical JSON", () => {
  it("is the same for any key order and parses back to an equal value", () => {
    fc.assert(
      fc.property(json, fc.integer(), (v, seed) => {
        const shuffle = (keys: string[]) =>
          keys
            .map((k, i) => ({ k, r: (Math.imul(seed ^ (i * 2654435761), 2246822519) >>> 0) % 1000 }))
            .sort((a, b) => a.r - b.r)
            .map((x) => x.k);
        const text = canonicalJson(v);
        expect(canonicalJson(reorder(v, (k) => [...k].reverse()))).toBe(text);
        expect(canonicalJson(reorder(v, shuffle))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(text).not.toMatch(/^\s|\s$/);
      }),
      { numRuns: 300 },
    );
  });

  it("sorts keys, leaves out undefined and refuses numbers JSON cannot hold", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
    // A key named "__proto__" (found by the property above) is a key like any other.
    expect(canonicalJson(JSON.parse('{"b":{"__proto__":[]},"__proto__":1}'))).toBe(
      '{"__proto__":1,"b":{"__proto__":[]}}',
    );
  });
});

function signed(): Attestation {
  const forge = generateKeyPairSync("ed25519");
  const agent = generateKeyPairSync("ed25519");
  const pem = (k: typeof forge.publicKey) => k.export({ type: "spki", format: "pem" }).toString();
  const content = { type: "micelio.session-content.v1", session: "S1", tree: "abc", goal: "g" };
  const contentBytes = canonicalBytes(content);
  const agentSig = sign(null, contentBytes, agent.privateKey).toString("base64");
  const record = {
    type: RECORD_TYPE,
    session: "S1",
    origin: "ai-generated",
    landed_commit: "c0ffee",
    landed_position: 3,
    stale: false,
    content_sha256: createHash("sha256").update(contentBytes).digest("hex"),
    agent_signature: { key_id: "ed25519:agent", signature: agentSig },
  };
  const recordBytes = canonicalBytes(record);
  return {
    record,
    signed_record: recordBytes.toString("base64"),
    forge_signature: {
      key_id: "ed25519:forge",
      algorithm: "Ed25519",
      public_key: pem(forge.publicKey),
      signature: sign(null, recordBytes, forge.privateKey).toString("base64"),
    },
    content,
    signed_content: contentBytes.toString("base64"),
    agent_signature: {
      key_id: "ed25519:agent",
      algorithm: "Ed25519",
      public_key: pem(agent.publicKey),
      signature: agentSig,
    },
  };
}

describe("verifyAttestation", () => {
  it("accepts an intact attestation and names the expected forge key", () => {
    const a = signed();
    expect(verifyAttestation(a)).toMatchObject({ ok: true, problems: [] });
    expect(verifyAttestation(a, "ed25519:other").ok).toBe(false);
  });

  it("fails when any field of the record or the content changes", () => {
    const a = signed();
    for (const [key, value] of Object.entries(a.record)) {
      const changed = structuredClone(a);
      changed.record[key] = typeof value === "number" ? value + 1 : typeof value === "boolean" ? !value : "x";
      changed.signed_record = canonicalBytes(changed.record as Json).toString("base64");
      expect(verifyAttestation(changed).ok, key).toBe(false);
    }
    for (const key of Object.keys(a.content)) {
      const changed = structuredClone(a);
      changed.content[key] = "tampered";
      changed.signed_content = canonicalBytes(changed.content as Json).toString("base64");
      expect(verifyAttestation(changed).ok, key).toBe(false);
    }
    const dropped = structuredClone(a);
    dropped.agent_signature = null;
    expect(verifyAttestation(dropped).ok).toBe(false);
    const resigned = structuredClone(a);
    resigned.forge_signature.public_key = a.agent_signature!.public_key;
    expect(verifyAttestation(resigned).problems).toContain("the forge's signature does not verify");
  });
});
