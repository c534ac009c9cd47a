// The OpenID Connect client against a scripted provider: a valid ID token gives the subject
// and the address; an ID token signed by a key outside the provider's JWKS, for another
// audience or another nonce is refused, as are a discovery document naming another issuer
// and a token endpoint that redirects elsewhere.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "./oauth-http.ts";
import { oidcComplete } from "./oidc.ts";

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

describe("OpenID Connect ID token checks", () => {
  let server: Server;
  let issuer: string;
  let good: Key;
  let stranger: Key;
  let claims: Record<string, unknown> = {};
  let signWith: { key: Key; kid: string };
  let tokenRedirect = false;
  let discoveredIssuer: string | undefined;

  beforeAll(async () => {
    const a = await generateKeyPair("RS256");
    const b = await generateKeyPair("RS256");
    good = a.privateKey;
    stranger = b.privateKey;
    const jwk = { ...(await exportJWK(a.publicKey)), kid: "good", alg: "RS256", use: "sig" };
    server = createServer(async (req, res) => {
      const json = (body: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url === "/.well-known/openid-configuration") {
        json({
          issuer: discoveredIssuer ?? issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
        });
      } else if (req.url === "/jwks") {
        json({ keys: [jwk] });
      } else if (req.url === "/token" && tokenRedirect) {
        res.writeHead(307, { location: "http://example.invalid/steal" }).end();
      } else if (req.url === "/token") {
        const idToken = await new SignJWT({
          nonce: "n-1",
          email: "a@example.test",
          email_verified: true,
          ...claims,
        })
          .setProtectedHeader({ alg: "RS256", kid: signWith.kid })
          .setIssuer(issuer)
          .setAudience((claims.aud as string | undefined) ?? "client")
          .setSubject("user-1")
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(signWith.key);
        json({ access_token: "at", token_type: "Bearer", id_token: idToken });
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    signWith = { key: good, kid: "good" };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const settings = () => ({ issuer, clientId: "client", clientSecret: "secret", name: "Test" });
  const complete = () =>
    oidcComplete(settings(), { code: "c", verifier: "v", nonce: "n-1", redirectUri: "http://forge/cb" });

  it("accepts a valid ID token and reads the subject and address", async () => {
    expect(await complete()).toEqual({
      providerUserId: "user-1",
      login: "",
      name: "",
      email: "a@example.test",
      emailVerified: true,
    });
  });

  it("refuses an ID token signed by another key, for another audience or with another nonce", async () => {
    signWith = { key: stranger, kid: "good" };
    await expect(complete()).rejects.toThrow(/ID token refused/);
    signWith = { key: good, kid: "good" };
    claims = { aud: "someone-else" };
    await expect(complete()).rejects.toThrow(/ID token refused/);
    claims = { nonce: "replayed" };
    await expect(complete()).rejects.toThrow(/nonce/);
    claims = {};
    expect((await complete()).providerUserId).toBe("user-1");
  });

  it("does not follow a token endpoint's redirect", async () => {
    tokenRedirect = true;
    try {
      await expect(complete()).rejects.toThrow(/unexpected redirect/);
      await expect(complete()).rejects.toBeInstanceOf(ProviderError);
    } finally {
      tokenRedirect = false;
    }
  });

  it("refuses a discovery document that names another issuer", async () => {
    discoveredIssuer = "https://evil.example";
    const other = { ...settings(), issuer: `${issuer}/` }; // not cached yet
    await expect(
      oidcComplete(other, { code: "c", verifier: "v", nonce: "n-1", redirectUri: "http://forge/cb" }),
    ).rejects.toThrow(/issuer does not match/);
    discoveredIssuer = undefined;
  });
});
