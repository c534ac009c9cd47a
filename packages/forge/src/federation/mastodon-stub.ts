// Test support: a stub Mastodon 4.x server on loopback (node:http). It serves the WebFinger and
// actor documents of fixtures/mastodon/ (with a fresh RSA key), records what the forge delivers
// to its inboxes, and sends activities signed the way Mastodon signs them: draft-cavage HTTP
// Signatures over "(request-target) host date digest content-type" with rsa-sha256 and a
// SHA-256 Digest header.
import { createHash, createSign, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const FIXTURES = new URL("./fixtures/mastodon/", import.meta.url);

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
}

export interface MastodonStub {
  base: string;
  host: string;
  actor: string;
  received: Received[];
  /** A fixture with {{NAME}} filled from vars (and BASE, HOST). */
  fixture(name: string, vars?: Record<string, string>): Record<string, any>;
  /** Posts an activity to a URL signed as Mastodon does; answers the status. */
  send(url: string, activity: unknown): Promise<number>;
  close(): Promise<void>;
}

function fill(value: unknown, vars: Record<string, string>): any {
  if (typeof value === "string") return value.replace(/\{\{([A-Z_]+)\}\}/g, (m, k) => vars[k] ?? m);
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
}

export async function startMastodonStub(forge: string): Promise<MastodonStub> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const received: Received[] = [];
  const vars: Record<string, string> = { FORGE: forge, FORGE_HOST: new URL(forge).host, PUBLIC_KEY_PEM: pem };
  const fixture = (name: string, more: Record<string, string> = {}) =>
    fill(JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")), { ...vars, ...more });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", vars.BASE);
      const answer = (status: number, body?: unknown, type = "application/activity+json; charset=utf-8") => {
        res.writeHead(status, body === undefined ? {} : { "content-type": type });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (req.method === "POST" && (url.pathname === "/inbox" || url.pathname === "/users/mallory/inbox")) {
        const text = Buffer.concat(chunks).toString("utf8");
        received.push({ path: url.pathname, headers: req.headers, body: JSON.parse(text) });
        return answer(202);
      }
      if (req.method === "GET" && url.pathname === "/.well-known/webfinger") {
        if (url.searchParams.get("resource") !== `acct:mallory@${vars.HOST}`) return answer(404);
        return answer(200, fixture("webfinger"), "application/jrd+json; charset=utf-8");
      }
      if (req.method === "GET" && url.pathname === "/users/mallory") return answer(200, fixture("actor"));
      answer(404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  vars.HOST = `127.0.0.1:${port}`;
  vars.BASE = `http://${vars.HOST}`;
  const actor = `${vars.BASE}/users/mallory`;

  async function send(target: string, activity: unknown) {
    const body = JSON.stringify(activity);
    const url = new URL(target);
    const headers: Record<string, string> = {
      host: url.host,
      date: new Date().toUTCString(),
      digest: `SHA-256=${createHash("sha256").update(body).digest("base64")}`,
      "content-type": "application/activity+json",
    };
    const signed = ["(request-target)", "host", "date", "digest", "content-type"];
    const text = signed
      .map((h) =>
        h === "(request-target)" ? `${h}: post ${url.pathname}${url.search}` : `${h}: ${headers[h]}`,
      )
      .join("\n");
    const signature = createSign("sha256").update(text).sign(privateKey, "base64");
    const { host: _host, ...sent } = headers; // fetch sets Host itself, to the same value
    const res = await fetch(url, {
      method: "POST",
      headers: {
        ...sent,
        "user-agent": "http.rb/5.2.0 (Mastodon/4.3.2; +https://mastodon.example/)",
        signature: `keyId="${actor}#main-key",algorithm="rsa-sha256",headers="${signed.join(" ")}",signature="${signature}"`,
      },
      body,
    });
    await res.text();
    return res.status;
  }

  return {
    base: vars.BASE,
    host: vars.HOST,
    actor,
    received,
    fixture,
    send,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
