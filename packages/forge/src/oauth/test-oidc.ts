// For tests: a real OpenID Connect server (oidc-provider) on a local port, with its
// development login and consent pages. Accounts are whatever login is typed; their claims
// come from `users`. The server starts first (so the forge knows the issuer); the client is
// registered once the forge's callback URL is known.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

export interface OidcUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
}

export interface TestOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, OidcUser>;
  /** Registers the forge as a client with its callback URL. */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

export async function startTestOidc(): Promise<TestOidc> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "micelio";
  const clientSecret = "oidc-test-secret-0123456789abcdef";
  const users = new Map<string, OidcUser>();
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test", alg: "RS256", use: "sig" };
  return {
    issuer,
    clientId,
    clientSecret,
    users,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri] }],
        claims: {
          openid: ["sub"],
          email: ["email", "email_verified"],
          profile: ["name", "preferred_username"],
        },
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ["micelio-test-oidc-cookie-key"] },
        jwks: { keys: [signingKey] },
        pkce: { required: () => true },
        findAccount: async (_ctx: unknown, id: string) => {
          const user = users.get(id) ?? { sub: id };
          return { accountId: id, claims: async () => ({ ...user, sub: id }) };
        },
      });
      handler = provider.callback();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
