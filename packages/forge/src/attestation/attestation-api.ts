// JSON API of contribution attestation (docs/trust.md, "Contribution attestation"): the forge's
// public key, a landed session's attestation, the payload an author signs before landing, and
// the signing keys people register for that.
import { createRoute, z } from "@hono/zod-openapi";
import {
  apiRouter,
  json,
  jsonBody,
  PUBLIC,
  problems,
  requireUser,
  SIGNED_IN,
  scoped,
} from "../api/openapi.ts";
import { getSession } from "../sessions/sessions-service.ts";
import { attestation, signingPayload } from "./attestation.ts";
import { forgeKey } from "./forge-key.ts";
import {
  addKeySchema,
  addSigningKey,
  listSigningKeys,
  revokeSigningKey,
  signingKeyJson,
} from "./signing-keys.ts";

export const attestationApi = apiRouter();
const S = z.object({ owner: z.string().max(100), project: z.string().max(200), id: z.string().max(40) });
const Obj = (name: string) => z.record(z.string(), z.unknown()).openapi(name);
const tags = ["attestation"];

attestationApi.openapi(
  createRoute({
    method: "get",
    path: "/attestation-key",
    ...PUBLIC,
    tags,
    summary: "The forge's Ed25519 public key that signs landing attestations",
    responses: { 200: json(Obj("AttestationKey"), "{key_id, algorithm, public_key (SPKI PEM)}") },
  }),
  async (c) => {
    const key = await forgeKey(c.get("forge").db, c.get("forge").secrets);
    return c.json({ key_id: key.keyId, algorithm: "Ed25519", public_key: key.publicKeyPem }, 200);
  },
);

attestationApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}/attestation",
    ...PUBLIC,
    tags,
    summary: "A landed session's attestation, verifiable offline",
    description:
      "{record, signed_record, forge_signature, content, signed_content, agent_signature}: the landing record signed by the forge (Ed25519 over the canonical JSON, base64 in signed_record), the session content and, when its author signed it at land, their signature. Check it with `mic verify FILE` or openssl (docs/trust.md). 409 before the session lands.",
    request: { params: S },
    responses: { 200: json(Obj("Attestation"), "The attestation"), 404: problems[404], 409: problems[409] },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    const forge = c.get("forge");
    const { project: p, session } = await getSession(forge.db, c.get("viewer"), owner, project, id);
    if (p.visibility === "private") c.header("Cache-Control", "private, no-cache");
    return c.json(await attestation(forge, p, session), 200);
  },
);

attestationApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}/signing-payload",
    ...PUBLIC,
    tags,
    summary: "What the author signs before landing: the session's content in canonical form",
    description:
      "{payload, canonical}: sign the UTF-8 bytes of `canonical` with an Ed25519 key registered on your account (POST /api/v1/user/signing-keys) and send {signature: {key_id, signature}, generated_at} with the land. Check that payload.tree is the tree you produced before signing.",
    request: {
      params: S,
      query: z.object({ generated_at: z.string().datetime({ offset: true }).optional() }),
    },
    responses: { 200: json(Obj("SigningPayload"), "The payload"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    const forge = c.get("forge");
    const { project: p, session } = await getSession(forge.db, c.get("viewer"), owner, project, id);
    return c.json(await signingPayload(forge, p, session, c.req.valid("query").generated_at), 200);
  },
);

const SigningKey = Obj("SigningKey");

attestationApi.openapi(
  createRoute({
    method: "get",
    path: "/user/signing-keys",
    ...SIGNED_IN,
    tags,
    summary: "Your Ed25519 signing keys (revoked ones too)",
    responses: { 200: json(z.array(SigningKey), "Keys"), 401: problems[401] },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json((await listSigningKeys(c.get("forge").db, user.id)).map(signingKeyJson), 200);
  },
);

attestationApi.openapi(
  createRoute({
    method: "post",
    path: "/user/signing-keys",
    ...scoped("user"),
    tags,
    summary: "Register an Ed25519 public key to sign session content with",
    request: { body: jsonBody(addKeySchema.openapi("AddSigningKeyRequest")) },
    responses: {
      201: json(SigningKey, "The key"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      409: problems[409],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const viewer = c.get("viewer");
    const row = await addSigningKey(c.get("forge").db, { user, ip: viewer.ip }, c.req.valid("json"));
    return c.json(signingKeyJson(row), 201);
  },
);

attestationApi.openapi(
  createRoute({
    method: "delete",
    path: "/user/signing-keys/{id}",
    ...scoped("user"),
    tags,
    summary: "Revoke a signing key (it stays listed; it signs nothing new)",
    request: { params: z.object({ id: z.string().max(100) }) },
    responses: {
      200: json(SigningKey, "The revoked key"),
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const viewer = c.get("viewer");
    const row = await revokeSigningKey(c.get("forge").db, { user, ip: viewer.ip }, c.req.valid("param").id);
    return c.json(signingKeyJson(row), 200);
  },
);
