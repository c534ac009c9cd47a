// Test support: a software passkey (an ES256 key pair in memory) that answers the forge's
// WebAuthn options the way a platform authenticator would, with "none" attestation, so the
// server side can be tested without a browser; and a minimal CBOR encoder for that.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** Encodes the few CBOR types WebAuthn needs (keys in the order given: pass them canonical). */
export function cbor(value: Cbor): Buffer {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const sha = (data: Uint8Array | string) => createHash("sha256").update(data).digest();
const b64u = (data: Uint8Array) => Buffer.from(data).toString("base64url");
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

interface Options {
  challenge: string;
  rp?: { id?: string };
  rpId?: string;
  user?: { id: string };
}

export interface UseOpts {
  origin: string;
  /** Sign this challenge instead of the one in the options. */
  challenge?: string;
  /** Report user verification (true by default). */
  verified?: boolean;
}

export class SoftPasskey {
  readonly credentialId: Buffer = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;
  userHandle = "";

  constructor(keys?: { privateKey: KeyObject; publicJwk: { x: string; y: string }; credentialId: Buffer }) {
    if (keys) {
      this.privateKey = keys.privateKey;
      this.publicJwk = keys.publicJwk;
      this.credentialId = keys.credentialId;
    } else {
      const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
      this.privateKey = pair.privateKey;
      this.publicJwk = pair.publicKey.export({ format: "jwk" }) as { x: string; y: string };
    }
  }

  get id() {
    return b64u(this.credentialId);
  }

  /** A copy of the key with the counter where it stands now (a cloned authenticator). */
  clone(): SoftPasskey {
    const copy = new SoftPasskey({
      privateKey: this.privateKey,
      publicJwk: this.publicJwk,
      credentialId: this.credentialId,
    });
    copy.counter = this.counter;
    copy.userHandle = this.userHandle;
    return copy;
  }

  private clientData(type: string, options: Options, use: UseOpts) {
    return Buffer.from(
      JSON.stringify({
        type,
        challenge: use.challenge ?? options.challenge,
        origin: use.origin,
        crossOrigin: false,
      }),
    );
  }

  private authData(rpId: string, flags: number, extra: Buffer[] = []) {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([sha(rpId), Buffer.from([flags]), count, ...extra]);
  }

  /** Answers registration options (navigator.credentials.create). */
  create(options: Options, use: UseOpts) {
    const rpId = options.rp?.id ?? "";
    this.userHandle = options.user?.id ?? "";
    const coseKey = cbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(this.publicJwk.x, "base64url")],
        [-3, Buffer.from(this.publicJwk.y, "base64url")],
      ]),
    );
    const idLen = Buffer.from([this.credentialId.length >> 8, this.credentialId.length & 255]);
    const flags = UP | AT | (use.verified === false ? 0 : UV);
    const authData = this.authData(rpId, flags, [Buffer.alloc(16), idLen, this.credentialId, coseKey]);
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64u(this.clientData("webauthn.create", options, use)),
        attestationObject: b64u(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** Answers authentication options (navigator.credentials.get); the counter goes up by one. */
  get(options: Options, use: UseOpts) {
    this.counter += 1;
    const authData = this.authData(options.rpId ?? "", UP | (use.verified === false ? 0 : UV));
    const clientData = this.clientData("webauthn.get", options, use);
    const signature = sign("sha256", Buffer.concat([authData, sha(clientData)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64u(clientData),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
