// Passkeys for a user: options for registering one (resident key, so it can sign in without
// a handle), checking the new credential and storing it, renaming, removing (needs the
// password), and checking a sign-in assertion: the credential is known (and the expected
// user's, for the second step), the challenge, origin and RP ID match, the signature
// verifies, and the signature counter moved forward (a lower one is refused as a clone).
import type {
  AuthenticationResponseJSON,
  RegistrationResponseJSON,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { z } from "zod";
import { verifyPassword } from "../accounts/passwords.ts";
import { randomToken } from "../accounts/secrets.ts";
import type { Actor } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account, Passkey } from "../db/schema.ts";
import { recordSecurityEvent } from "../devices/security-events.ts";
import { conflict, invalid, notFound } from "../errors/app-error.ts";
import {
  deletePasskey,
  findByCredentialId,
  findUserPasskey,
  insertPasskey,
  listPasskeys,
  NAME_MAX,
  recordUse,
  renamePasskey,
  userHandleOf,
} from "./passkey-store.ts";
import { type RelyingParty, RP_NAME } from "./relying-party.ts";

/** The WebAuthn library loads on the first passkey operation, not with every forge. */
let webauthn: Promise<typeof import("@simplewebauthn/server")> | undefined;
const loadWebauthn = () => {
  webauthn ??= import("@simplewebauthn/server");
  return webauthn;
};

type User = Pick<Account, "id" | "handle" | "password_hash">;
export const TIMEOUT_MS = 120_000;
export const MAX_PASSKEYS = 20;

const nameSchema = z
  .string()
  .trim()
  .min(1, "give it a name")
  .max(NAME_MAX, `at most ${NAME_MAX} characters`)
  .refine((s) => !/\p{Cc}/u.test(s), "no control characters");

export function checkName(name: string): string {
  const parsed = nameSchema.safeParse(name);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "not valid";
    throw invalid(`The passkey name is not valid: ${message}`, [{ field: "name", message }]);
  }
  return parsed.data;
}

async function requirePassword(user: User, password: string) {
  if (!(await verifyPassword(user.password_hash, password)))
    throw invalid("Your password is not correct", [{ field: "password", message: "not correct" }]);
}

/** Transports a browser may list for a credential (WebAuthn's AuthenticatorTransport). */
const TRANSPORTS = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);
const base64url = z
  .string()
  .max(1400)
  .regex(/^[A-Za-z0-9_-]*$/);

/**
 * The browser's credential as sent in a form field: JSON, checked for its outline (ids are
 * base64url, transports a short list of strings) before the WebAuthn library sees it.
 */
const credentialSchema = z.object({
  id: base64url.min(1),
  rawId: base64url,
  type: z.literal("public-key"),
  response: z
    .record(z.string(), z.unknown())
    .refine(
      (r) =>
        r.transports === undefined ||
        (Array.isArray(r.transports) &&
          r.transports.length <= 10 &&
          r.transports.every((t) => typeof t === "string" && t.length <= 32)),
      "transports must be a short list of names",
    ),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.string().optional(),
});

export function parseCredential<T>(text: string): T | null {
  if (!text || text.length > 20_000) return null;
  try {
    const parsed = credentialSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as T) : null;
  } catch {
    return null;
  }
}

/**
 * Options for registering a new passkey, after the password. `issue` stores a challenge
 * together with the user handle offered (the user's existing one, or a new random one).
 */
export async function registrationOptions(
  db: Db,
  user: User,
  password: string,
  rp: RelyingParty,
  issue: (userHandle: string) => Promise<string>,
) {
  await requirePassword(user, password);
  const existing = await listPasskeys(db, user.id);
  if (existing.length >= MAX_PASSKEYS) throw conflict(`You can have at most ${MAX_PASSKEYS} passkeys`);
  const userHandle = (await userHandleOf(db, user.id)) ?? randomToken(32);
  const challenge = await issue(userHandle);
  return (await loadWebauthn()).generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.rpID,
    userName: user.handle,
    userDisplayName: user.handle,
    userID: new Uint8Array(Buffer.from(userHandle, "base64url")),
    challenge: new Uint8Array(Buffer.from(challenge, "base64url")),
    timeout: TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
}

/** Checks the new credential against the stored challenge and keeps it under `name`. */
export async function finishRegistration(
  db: Db,
  user: User,
  stored: { challenge: string; name: string; userHandle: string },
  credentialJson: string,
  rp: RelyingParty,
  actor: Actor,
): Promise<Passkey> {
  const response = parseCredential<RegistrationResponseJSON>(credentialJson);
  if (!response) throw invalid("The browser sent no usable passkey");
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await (await loadWebauthn()).verifyRegistrationResponse({
      response,
      expectedChallenge: stored.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
    });
  } catch {
    throw invalid("The passkey could not be verified. Try again.");
  }
  if (!result.verified) throw invalid("The passkey could not be verified. Try again.");
  const info = result.registrationInfo;
  if (await findByCredentialId(db, info.credential.id)) throw conflict("This passkey is already registered");
  return db.transaction().execute(async (trx) => {
    const passkey = await insertPasskey(trx, {
      userId: user.id,
      name: checkName(stored.name),
      credentialId: info.credential.id,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      // Only transports WebAuthn defines are kept; they go back to browsers in later options.
      transports: (info.credential.transports ?? response.response.transports ?? []).filter((t) =>
        TRANSPORTS.has(t),
      ),
      userHandle: stored.userHandle,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
    });
    await recordSecurityEvent(trx, actor, user, "passkey.add", { passkey: passkey.name });
    return passkey;
  });
}

export async function renameUserPasskey(db: Db, user: User, id: string, name: string, actor: Actor) {
  const clean = checkName(name);
  const before = await findUserPasskey(db, user.id, id);
  if (!before) throw notFound("No such passkey");
  await db.transaction().execute(async (trx) => {
    await renamePasskey(trx, user.id, id, clean);
    await recordSecurityEvent(trx, actor, user, "passkey.rename", { from: before.name, to: clean });
  });
}

/** Removes one of the user's own passkeys; needs the password. Another user's is not found. */
export async function removeUserPasskey(db: Db, user: User, id: string, password: string, actor: Actor) {
  if (!(await findUserPasskey(db, user.id, id))) throw notFound("No such passkey");
  await requirePassword(user, password);
  await db.transaction().execute(async (trx) => {
    const gone = await deletePasskey(trx, user.id, id);
    if (!gone) throw notFound("No such passkey");
    await recordSecurityEvent(trx, actor, user, "passkey.remove", { passkey: gone.name });
  });
}

/** Options for using a passkey: any of this site's (usernameless) or only `allow` ones. */
export async function authenticationOptions(
  rp: RelyingParty,
  challenge: string,
  opts: { allow?: Passkey[]; userVerification: "required" | "preferred" },
) {
  return (await loadWebauthn()).generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: new Uint8Array(Buffer.from(challenge, "base64url")),
    timeout: TIMEOUT_MS,
    userVerification: opts.userVerification,
    allowCredentials: opts.allow?.map((p) => ({ id: p.credential_id, transports: p.transports })),
  });
}

export type AssertionResult =
  | { ok: true; passkey: Passkey }
  | { ok: false; reason: "malformed" | "unknown" | "wrong-user" | "invalid" | "counter"; passkey?: Passkey };

/**
 * Checks a sign-in assertion against the stored challenge. `userId` limits it to one user's
 * passkeys (the second step); user verification is required for signing in without a password.
 */
export async function checkAssertion(
  db: Db,
  rp: RelyingParty,
  challenge: string,
  credentialJson: string,
  opts: { userId?: string; requireUserVerification: boolean },
): Promise<AssertionResult> {
  const response = parseCredential<AuthenticationResponseJSON>(credentialJson);
  if (!response) return { ok: false, reason: "malformed" };
  const passkey = await findByCredentialId(db, response.id);
  if (!passkey) return { ok: false, reason: "unknown" };
  if (opts.userId && passkey.user_id !== opts.userId) return { ok: false, reason: "wrong-user" };
  const handle = response.response.userHandle;
  if (handle && handle !== passkey.user_handle) return { ok: false, reason: "wrong-user", passkey };
  const counter = Number(passkey.counter);
  let newCounter: number;
  try {
    const result = await (await loadWebauthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: opts.requireUserVerification,
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(passkey.public_key),
        counter,
        transports: passkey.transports,
      },
    });
    if (!result.verified) return { ok: false, reason: "invalid", passkey };
    newCounter = result.authenticationInfo.newCounter;
  } catch (err) {
    const counterError = err instanceof Error && /counter/i.test(err.message);
    return { ok: false, reason: counterError ? "counter" : "invalid", passkey };
  }
  // The counter is moved on only from the value checked, so a racing use of a clone loses.
  if (!(await recordUse(db, passkey, newCounter))) return { ok: false, reason: "counter", passkey };
  return { ok: true, passkey };
}
