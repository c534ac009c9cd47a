// For tests: a local identity provider speaking GitHub's and GitLab's OAuth endpoints (the
// authorize redirect, the token endpoint with PKCE checked, the user endpoints), and a
// browser-like agent that follows redirects across origins with a cookie jar per origin.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeUser {
  id: number;
  login: string;
  name?: string;
  email: string | null;
  verified?: boolean;
}
type Kind = "github" | "gitlab";

interface Grant {
  kind: Kind;
  user: FakeUser;
  redirectUri: string;
  challenge: string;
}

export interface FakeProvider {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Who is signed in at the provider for the next authorization of `kind`. */
  signInAs(kind: Kind, user: FakeUser): void;
  /** Token requests refused so far, with why (PKCE, client, code, redirect URI). */
  refused: string[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = "";
    req.on("data", (d) => {
      s += d;
    });
    req.on("end", () => resolve(s));
  });

/** The forge settings that send GitHub and GitLab sign-ins to this fake provider. */
export const providerSettings = (fake: FakeProvider) => ({
  MICELIO_GITHUB_CLIENT_ID: fake.clientId,
  MICELIO_GITHUB_CLIENT_SECRET: fake.clientSecret,
  MICELIO_GITHUB_URL: fake.url,
  MICELIO_GITLAB_CLIENT_ID: fake.clientId,
  MICELIO_GITLAB_CLIENT_SECRET: fake.clientSecret,
  MICELIO_GITLAB_URL: fake.url,
});

export async function startFakeProvider(): Promise<FakeProvider> {
  const clientId = "micelio-test-client";
  const clientSecret = randomBytes(16).toString("hex");
  const current: Partial<Record<Kind, FakeUser>> = {};
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, { kind: Kind; user: FakeUser }>();
  const refused: string[] = [];

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const authorize = { "/login/oauth/authorize": "github", "/oauth/authorize": "gitlab" } as const;
    const token = { "/login/oauth/access_token": "github", "/oauth/token": "gitlab" } as const;
    const path = url.pathname as keyof typeof authorize & keyof typeof token;
    if (req.method === "GET" && authorize[path]) {
      const kind = authorize[path];
      const q = url.searchParams;
      const user = current[kind];
      if (
        !user ||
        q.get("client_id") !== clientId ||
        q.get("response_type") !== "code" ||
        q.get("code_challenge_method") !== "S256" ||
        !q.get("code_challenge") ||
        !q.get("state")
      ) {
        res.writeHead(400).end("bad authorization request");
        return;
      }
      const code = randomBytes(12).toString("hex");
      codes.set(code, {
        kind,
        user,
        redirectUri: q.get("redirect_uri") ?? "",
        challenge: q.get("code_challenge")!,
      });
      const back = new URL(q.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state")!);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === "POST" && token[path]) {
      const form = new URLSearchParams(await readBody(req));
      const basic = Buffer.from(
        (req.headers.authorization ?? "").replace(/^Basic /, ""),
        "base64",
      ).toString();
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const why = !grant
        ? "unknown code"
        : basic !== `${clientId}:${clientSecret}`
          ? "bad client"
          : grant.kind !== token[path]
            ? "wrong provider"
            : form.get("redirect_uri") !== grant.redirectUri
              ? "redirect_uri mismatch"
              : createHash("sha256").update(verifier).digest("base64url") !== grant.challenge
                ? "PKCE verifier mismatch"
                : "";
      if (why || !grant) {
        refused.push(why);
        // GitHub answers errors with 200, GitLab with 400.
        json(token[path] === "github" ? 200 : 400, { error: "invalid_grant", error_description: why });
        return;
      }
      const accessToken = randomBytes(16).toString("hex");
      tokens.set(accessToken, { kind: grant.kind, user: grant.user });
      json(200, { access_token: accessToken, token_type: "bearer", scope: "" });
      return;
    }
    const bearer = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (req.method === "GET" && bearer?.kind === "github" && url.pathname === "/user") {
      const u = bearer.user;
      json(200, { id: u.id, login: u.login, name: u.name ?? null, email: u.email });
      return;
    }
    if (req.method === "GET" && bearer?.kind === "github" && url.pathname === "/user/emails") {
      const u = bearer.user;
      json(200, u.email ? [{ email: u.email, primary: true, verified: u.verified ?? false }] : []);
      return;
    }
    if (req.method === "GET" && bearer?.kind === "gitlab" && url.pathname === "/api/v4/user") {
      const u = bearer.user;
      json(200, {
        id: u.id,
        username: u.login,
        name: u.name ?? u.login,
        email: u.email,
        confirmed_at: u.verified ? "2026-01-01T00:00:00Z" : null,
      });
      return;
    }
    json(bearer ? 404 : 401, { message: bearer ? "Not Found" : "Bad credentials" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    signInAs: (kind, user) => {
      current[kind] = user;
    },
    refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Page {
  url: string;
  status: number;
  html: string;
}

/** Follows redirects across origins like a browser, keeping cookies per origin. */
export class Agent {
  private jars = new Map<string, Map<string, string>>();

  private jar(origin: string) {
    let jar = this.jars.get(origin);
    if (!jar) {
      jar = new Map();
      this.jars.set(origin, jar);
    }
    return jar;
  }

  private store(origin: string, res: Response) {
    const jar = this.jar(origin);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1);
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(c) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  }

  cookie(origin: string, name: string) {
    return this.jar(origin).get(name);
  }

  /** One request, no redirect followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const origin = new URL(url).origin;
    const cookie = [...this.jar(origin)].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers: {
        accept: "text/html",
        ...(cookie ? { cookie } : {}),
        ...(init.form ? { "content-type": "application/x-www-form-urlencoded", origin } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: "manual",
    });
    this.store(origin, res);
    const location = res.headers.get("location");
    return {
      url,
      status: res.status,
      location: location ? new URL(location, url).toString() : null,
      html: await res.text(),
    };
  }

  /** A request and every redirect after it; returns the page it ends on. */
  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let r = await this.request(url, init);
    for (let hops = 0; r.location && hops < 20; hops++) r = await this.request(r.location);
    return { url: r.url, status: r.status, html: r.html };
  }

  /** Submits the first form on `page` whose action matches, with its hidden fields and `fields`. */
  async submit(page: Page, action: RegExp, fields: Record<string, string>): Promise<Page> {
    for (const m of page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
      if (!action.test(m[1])) continue;
      const form: Record<string, string> = {};
      for (const i of m[2].matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
        const name = /name="([^"]*)"/.exec(i[0])?.[1];
        const value = /value="([^"]*)"/.exec(i[0])?.[1] ?? "";
        if (name) form[name] = value.replace(/&amp;/g, "&");
      }
      return this.go(new URL(m[1].replace(/&amp;/g, "&"), page.url).toString(), {
        form: { ...form, ...fields },
      });
    }
    throw new Error(`no form with action ${action} on ${page.url}: ${page.html.slice(0, 500)}`);
  }
}
