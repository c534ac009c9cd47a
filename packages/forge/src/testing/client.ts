// A small HTTP client for tests: JSON API calls with a token or Basic credentials, and a
// cookie-keeping browser-like agent for web forms (with their CSRF tokens).
export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  opts: {
    token?: string;
    basic?: [string, string];
    json?: unknown;
    headers?: Record<string, string>;
    raw?: string;
  } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.basic) headers.authorization = `Basic ${Buffer.from(opts.basic.join(":")).toString("base64")}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers["content-type"] ??= "application/json";
  } else if (opts.raw !== undefined) {
    body = opts.raw;
  }
  const res = await fetch(base + path, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Signs up a user and returns a token with every scope they may hold. */
export async function userWithToken(
  base: string,
  handle: string,
  scopes = ["project:read", "project:write", "session:write", "org:admin", "user"],
) {
  const password = `pw-${handle}-secret`;
  const signup = await api(base, "POST", "/api/v1/signup", {
    json: { handle, email: `${handle}@example.test`, password },
  });
  if (signup.status !== 201)
    throw new Error(`signup ${handle}: ${signup.status} ${JSON.stringify(signup.body)}`);
  const tok = await api(base, "POST", "/api/v1/tokens", {
    basic: [handle, password],
    json: { name: "test", scopes },
  });
  if (tok.status !== 201) throw new Error(`token ${handle}: ${tok.status} ${JSON.stringify(tok.body)}`);
  return { handle, password, token: tok.body.token as string, user: signup.body };
}

export class Browser {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(c) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string) {
    const res = await fetch(this.base + path, {
      headers: { cookie: this.cookieHeader, accept: "text/html" },
      redirect: "manual",
    });
    this.store(res);
    return {
      status: res.status,
      html: await res.text(),
      location: res.headers.get("location"),
      headers: res.headers,
    };
  }

  /** Fetches the page at `from` to learn its CSRF token, then posts the form. */
  async submit(
    from: string,
    action: string,
    fields: Record<string, string | string[]>,
    opts: { csrf?: string } = {},
  ) {
    const page = await this.get(from);
    const token = opts.csrf ?? /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? "";
    const body = new URLSearchParams();
    body.append("_csrf", token);
    for (const [k, v] of Object.entries(fields))
      for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await fetch(this.base + action, {
      method: "POST",
      headers: {
        cookie: this.cookieHeader,
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
      },
      body,
      redirect: "manual",
    });
    this.store(res);
    return { status: res.status, html: await res.text(), location: res.headers.get("location") };
  }
}

/** Posts a body with node:http and returns the status even if the server stops reading early. */
export function postRaw(
  url: string,
  body: string,
  contentType = "application/json",
): Promise<{ status: number; body: string }> {
  return import("node:http").then(
    ({ request }) =>
      new Promise((resolve, reject) => {
        const req = request(
          url,
          {
            method: "POST",
            headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) },
          },
          (res) => {
            let text = "";
            res.on("data", (d) => (text += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on("error", () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      }),
  );
}
