// Which addresses the forge may connect to on a user's behalf (webhooks, federation, imports).
// Only global unicast: loopback, private, carrier-grade NAT, link-local, cloud metadata,
// documentation, benchmarking, multicast and reserved ranges are refused, and so is every IPv6
// form that carries such an IPv4 address inside it (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible
// ::a.b.c.d, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16) — Teredo (2001::/32) is
// refused whole, since its embedded address is obfuscated. MICELIO_OUTBOUND_ALLOW (hosts or
// CIDRs, comma-separated) opens chosen names or addresses for tests and intranets.
import { BlockList, isIP } from "node:net";

const METADATA = new Set(["169.254.169.254", "fd00:ec2::254", "100.100.100.200"]);

const V4: [string, number, string][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay anycast"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];
const V6: [string, number, string][] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["100::", 64, "discard"],
  ["2001::", 32, "Teredo"],
  ["2001:db8::", 32, "documentation"],
  ["fc00::", 7, "unique local (private)"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

const ranges = (list: [string, number, string][], type: "ipv4" | "ipv6") =>
  list.map(([net, bits, why]) => {
    const b = new BlockList();
    b.addSubnet(net, bits, type);
    return { b, why, type };
  });
const V4_RANGES = ranges(V4, "ipv4");
const V6_RANGES = ranges(V6, "ipv6");

/** An IPv6 address as eight 16-bit groups (an embedded dotted quad included); null if malformed. */
export function ipv6Groups(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let a = address.toLowerCase().split("%")[0];
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (quad) {
    const [x, y, z, w] = quad.slice(1).map(Number);
    a = `${a.slice(0, quad.index)}${((x << 8) | y).toString(16)}:${((z << 8) | w).toString(16)}`;
  }
  const [head, tail] = a.includes("::") ? a.split("::") : [a, undefined];
  const part = (s: string | undefined) => (s ? s.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...new Array(fill).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : null;
}

const quadOf = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return quadOf(g[6], g[7]); // ::ffff:a.b.c.d
  if (zeros(6) && (g[6] !== 0 || g[7] > 1)) return quadOf(g[6], g[7]); // ::a.b.c.d (not :: or ::1)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return quadOf(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return quadOf(g[6], g[7]); // 64:ff9b:1::/48 (RFC 8215)
  if (g[0] === 0x2002) return quadOf(g[1], g[2]); // 6to4
  return null;
}

/** Why the forge must not connect to this address, or null when it is global unicast. */
export function forbiddenReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const lower = address.toLowerCase();
  if (METADATA.has(lower)) return "cloud metadata";
  if (family === 4) return V4_RANGES.find((r) => r.b.check(address, "ipv4"))?.why ?? null;
  const inner = embeddedIpv4(address);
  if (inner) {
    const why = forbiddenReason(inner);
    return why ? `${why} (${inner} inside an IPv6 address)` : null;
  }
  return V6_RANGES.find((r) => r.b.check(address, "ipv6"))?.why ?? null;
}

/** MICELIO_OUTBOUND_ALLOW: host names (exact, case-insensitive) and addresses or CIDRs. */
export interface OutboundAllow {
  hosts: Set<string>;
  nets: BlockList;
}

export function parseOutboundAllow(value: string | undefined): OutboundAllow {
  const allow: OutboundAllow = { hosts: new Set(), nets: new BlockList() };
  for (const entry of (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr, bits] = entry.split("/");
    const family = isIP(addr);
    if (!family) {
      if (bits !== undefined || !/^[a-z0-9.-]+$/i.test(entry))
        throw new Error(`MICELIO_OUTBOUND_ALLOW: ${entry} is not a host name, address or CIDR`);
      allow.hosts.add(entry.toLowerCase());
      continue;
    }
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`MICELIO_OUTBOUND_ALLOW: ${entry} has an invalid prefix length`);
    allow.nets.addSubnet(addr, prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return allow;
}

/** Whether the allowlist opens this address (checked in its own family). */
export function allowedAddress(allow: OutboundAllow, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && allow.nets.check(address, family === 4 ? "ipv4" : "ipv6");
}
