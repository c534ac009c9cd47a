// The outbound address policy: each kind of forbidden address is refused, in every IPv6 form
// that carries it; global addresses pass; the allowlist parses hosts, addresses and CIDRs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allowedAddress,
  embeddedIpv4,
  forbiddenReason,
  ipv6Groups,
  parseOutboundAllow,
} from "./address-policy.ts";

const refused: [string, string][] = [
  ["127.0.0.1", "loopback"],
  ["127.255.0.9", "loopback"],
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.1", "private"],
  ["100.64.0.1", "shared"],
  ["169.254.10.10", "link-local"],
  ["169.254.169.254", "metadata"],
  ["100.100.100.200", "metadata"],
  ["0.0.0.0", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["255.255.255.255", "reserved"],
  ["198.18.0.1", "benchmarking"],
  ["192.0.2.1", "documentation"],
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["fe80::1", "link-local"],
  ["fc00::1", "private"],
  ["fd12:3456::1", "private"],
  ["fd00:ec2::254", "metadata"],
  ["ff02::1", "multicast"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:169.254.169.254", "metadata"],
  ["::ffff:10.0.0.1", "private"],
  ["::127.0.0.1", "loopback"],
  ["::a00:1", "private"],
  ["64:ff9b::10.0.0.1", "private"],
  ["64:ff9b::a9fe:a9fe", "metadata"],
  ["64:ff9b:1::192.168.0.1", "private"],
  ["2002:7f00:1::", "loopback"],
  ["2002:a9fe:a9fe::1", "metadata"],
  ["2001:0:4136:e378::1", "Teredo"],
  ["2001:db8::1", "documentation"],
];
const allowed = [
  "93.184.216.34",
  "8.8.8.8",
  "172.32.0.1",
  "2606:4700::1111",
  "::ffff:8.8.8.8",
  "64:ff9b::808:808",
  "2002:808:808::1",
];

describe("the outbound address policy", () => {
  it.each(refused)("refuses %s (%s)", (address, why) => {
    expect(forbiddenReason(address)).toContain(why);
  });
  it.each(allowed)("lets %s through", (address) => {
    expect(forbiddenReason(address)).toBeNull();
  });
  it("refuses what is not an address", () => {
    expect(forbiddenReason("example.com")).toBe("not an IP address");
  });

  const privateV4 = fc.oneof(
    fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
  );
  const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
  it("refuses a private IPv4 address in every IPv6 form that carries it (property)", () => {
    fc.assert(
      fc.property(privateV4, ([a, b, c, d]) => {
        const quad = `${a}.${b}.${c}.${d}`;
        const forms = [
          quad,
          `::ffff:${quad}`,
          `::ffff:${hex(a, b)}:${hex(c, d)}`,
          `64:ff9b::${quad}`,
          `64:ff9b::${hex(a, b)}:${hex(c, d)}`,
          `2002:${hex(a, b)}:${hex(c, d)}::1`,
        ];
        for (const form of forms) expect(forbiddenReason(form), form).not.toBeNull();
        expect(embeddedIpv4(`2002:${hex(a, b)}:${hex(c, d)}::`)).toBe(quad);
      }),
    );
  });
  it("expands IPv6 addresses to eight groups (property: round trip of any eight groups)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), (groups) => {
        expect(ipv6Groups(groups.map((g) => g.toString(16)).join(":"))).toEqual(groups);
      }),
    );
    expect(ipv6Groups("1::")).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups("1.2.3.4")).toBeNull();
  });

  it("parses the allowlist: hosts, addresses and CIDRs", () => {
    const allow = parseOutboundAllow(" hooks.internal, 127.0.0.1 ,10.20.0.0/16,fd00::/8");
    expect([...allow.hosts]).toEqual(["hooks.internal"]);
    expect(allowedAddress(allow, "127.0.0.1")).toBe(true);
    expect(allowedAddress(allow, "127.0.0.2")).toBe(false);
    expect(allowedAddress(allow, "10.20.9.9")).toBe(true);
    expect(allowedAddress(allow, "10.21.0.1")).toBe(false);
    expect(allowedAddress(allow, "fd00::5")).toBe(true);
    expect(() => parseOutboundAllow("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parseOutboundAllow("bad host!")).toThrow(/not a host name/);
  });
});
