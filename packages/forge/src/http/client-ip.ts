// The address a request came from: the socket peer, or, behind a reverse proxy you trust
// (MICELIO_TRUST_PROXY), the address that proxy added to X-Forwarded-For. Proxies append the
// peer they saw, so only the right end of the header is trustworthy; everything to its left
// is whatever the client sent. MICELIO_TRUST_PROXY takes:
//   1 (or any hop count N) — N trusted proxies in front: the Nth address from the right;
//   a CIDR list (10.0.0.0/8,fd00::/8,192.0.2.7) — the proxies' addresses: the first address
//     from the right, starting with the socket peer, that is not one of them.
import { BlockList, isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import type { AppEnv } from "./context.ts";

export type TrustProxy =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "cidrs"; list: BlockList };

const MAX_HOPS = 32;

/** Parses MICELIO_TRUST_PROXY; throws on an entry that is neither a hop count nor an address/CIDR. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const raw = (value ?? "").trim();
  if (raw === "" || raw === "0" || raw.toLowerCase() === "false") return { kind: "none" };
  if (/^\d+$/.test(raw)) return { kind: "hops", hops: Math.min(Number(raw), MAX_HOPS) };
  const list = new BlockList();
  for (const entry of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr, bits] = entry.split("/");
    const family = isIP(addr);
    if (!family) throw new Error(`MICELIO_TRUST_PROXY: ${entry} is not an address or CIDR`);
    const type = family === 4 ? "ipv4" : "ipv6";
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
      throw new Error(`MICELIO_TRUST_PROXY: ${entry} has an invalid prefix length`);
    list.addSubnet(addr, prefix, type);
  }
  return { kind: "cidrs", list };
}

let cached: { value: string | undefined; trust: TrustProxy } | undefined;
function trustProxy(): TrustProxy {
  const value = process.env.MICELIO_TRUST_PROXY;
  if (!cached || cached.value !== value) cached = { value, trust: parseTrustProxy(value) };
  return cached.trust;
}

/** An address as written in a header or by the socket: port, brackets and IPv4 mapping removed. */
export function normalizeAddress(raw: string): string {
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) a = mapped[1];
  return a.slice(0, 64);
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * The client's address given the socket peer and the X-Forwarded-For header, under `trust`.
 * Hops: the Nth entry from the right (the leftmost when there are fewer). CIDRs: the peer when
 * it is not a trusted proxy, else the first untrusted entry from the right (the leftmost when
 * all are trusted).
 */
export function resolveClientIp(trust: TrustProxy, peer: string, forwardedFor: string | undefined): string {
  const socket = normalizeAddress(peer);
  if (trust.kind === "none") return socket;
  const hops = (forwardedFor ?? "")
    .split(",")
    .map(normalizeAddress)
    .filter((a) => a !== "");
  if (hops.length === 0) return socket;
  if (trust.kind === "hops") return hops[Math.max(0, hops.length - trust.hops)];
  if (!isTrusted(trust.list, socket)) return socket;
  for (let i = hops.length - 1; i >= 0; i--) if (!isTrusted(trust.list, hops[i])) return hops[i];
  return hops[0];
}

function peerOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "";
  } catch {
    return "";
  }
}

/** The client's address from a peer and an X-Forwarded-For value (for servers without a Hono context). */
export const clientIpOf = (peer: string, forwardedFor: string | undefined): string =>
  resolveClientIp(trustProxy(), peer, forwardedFor);

export function clientIp(c: Context): string {
  return resolveClientIp(trustProxy(), peerOf(c), c.req.header("x-forwarded-for"));
}

/** Whether the request arrived over https (X-Forwarded-Proto counts only from a trusted proxy). */
export function isHttps(c: Context): boolean {
  const trust = trustProxy();
  const fromProxy =
    trust.kind === "hops" || (trust.kind === "cidrs" && isTrusted(trust.list, normalizeAddress(peerOf(c))));
  if (fromProxy && c.req.header("x-forwarded-proto") === "https") return true;
  return new URL(c.req.url).protocol === "https:";
}

/** Whether cookies must carry the Secure flag (MICELIO_SECURE_COOKIES, or "auto": on https). */
export function secureCookies(c: Context<AppEnv>): boolean {
  const mode = c.get("forge").config.secureCookies;
  return mode === "true" || (mode === "auto" && isHttps(c));
}
