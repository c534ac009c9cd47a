// The guarded client against a real loopback server (opened by an allowlist, as tests and
// intranets do): names are resolved by an injected resolver, refusals happen before any
// connection (the onConnect witness never fires), the checked address is the one connected to
// (no rebinding), redirects are checked again, and answers are capped in size and time.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOutboundAllow } from "./address-policy.ts";
import { checkOutboundUrl, type OutboundDeps, OutboundRefused, outboundRequest } from "./outbound-client.ts";

let server: Server;
let port: number;
const seen: { url: string; host: string; method: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ url: req.url ?? "", host: req.headers.host ?? "", method: req.method ?? "", body });
      const u = new URL(req.url ?? "/", "http://x");
      if (u.pathname === "/hook") res.end(`got ${body}`);
      else if (u.pathname === "/big") res.end("x".repeat(4096));
      else if (u.pathname === "/slow") setTimeout(() => res.end("late"), 5_000).unref();
      else if (u.pathname === "/to") {
        res.writeHead(Number(u.searchParams.get("status") ?? 302), {
          location: u.searchParams.get("next") ?? "/",
        });
        res.end();
      } else res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** A resolver with fixed answers, counting its calls, and a witness of connections. */
function world(answers: Record<string, string[]>, allow = "127.0.0.1") {
  const calls: string[] = [];
  const connects: string[] = [];
  const deps: OutboundDeps = {
    allow: parseOutboundAllow(allow),
    resolve: async (host) => {
      calls.push(host);
      const list = answers[host] ?? [];
      return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    },
    onConnect: (t) => connects.push(t.address),
  };
  return { deps, calls, connects };
}
const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(OutboundRefused);
  return err as OutboundRefused;
};

describe("the guarded outbound client", () => {
  it("posts to an allowed address through a name, connecting to the address it checked", async () => {
    const w = world({ "hooks.test": ["127.0.0.1"] });
    const answer = await outboundRequest(
      `http://hooks.test:${port}/hook`,
      { method: "POST", body: "payload", headers: { "content-type": "text/plain" } },
      w.deps,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe("got payload");
    expect(answer.address).toBe("127.0.0.1");
    expect(seen.at(-1)).toMatchObject({ host: `hooks.test:${port}`, method: "POST" });
    expect(w.connects).toEqual(["127.0.0.1"]);
  });

  it.each([
    ["loopback", "127.0.0.1"],
    ["private", "10.0.0.7"],
    ["metadata", "169.254.169.254"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["NAT64 private", "64:ff9b::192.168.0.1"],
    ["6to4 metadata", "2002:a9fe:a9fe::1"],
    ["unique local", "fd00:ec2::254"],
  ])("refuses a name that resolves to a %s address before connecting", async (_kind, address) => {
    const w = world({ "evil.test": [address] }, "");
    const err = await refusal(outboundRequest(`http://evil.test:${port}/hook`, {}, w.deps));
    expect(err.reason).toBe("forbidden-address");
    expect(err.message).toContain(address);
    expect(w.connects).toEqual([]);
  });

  it("refuses a name when any of its answers is forbidden", async () => {
    const w = world({ "mixed.test": ["93.184.216.34", "10.0.0.1"] }, "");
    expect((await refusal(checkOutboundUrl("https://mixed.test/", w.deps))).reason).toBe("forbidden-address");
  });

  it("refuses literal forbidden addresses, other schemes and credentials", async () => {
    const w = world({}, "");
    for (const url of [
      "http://127.0.0.1/",
      "http://[::1]/",
      "http://[::ffff:169.254.169.254]/",
      "http://0.0.0.0/",
    ])
      expect((await refusal(checkOutboundUrl(url, w.deps))).reason, url).toBe("forbidden-address");
    expect((await refusal(checkOutboundUrl("file:///etc/passwd", w.deps))).reason).toBe("bad-url");
    expect((await refusal(checkOutboundUrl("gopher://x.test/", w.deps))).reason).toBe("bad-url");
    expect((await refusal(checkOutboundUrl("http://u:p@x.test/", w.deps))).reason).toBe("bad-url");
    expect((await refusal(checkOutboundUrl("not a url", w.deps))).reason).toBe("bad-url");
    expect((await refusal(checkOutboundUrl("http://nowhere.test/", w.deps))).reason).toBe("resolve-failed");
    expect(w.connects).toEqual([]);
  });

  it("resolves once per request: a second, different answer cannot rebind the connection", async () => {
    let n = 0;
    const deps: OutboundDeps = {
      allow: parseOutboundAllow("127.0.0.1"),
      resolve: async () => [{ address: n++ === 0 ? "127.0.0.1" : "10.9.9.9", family: 4 }],
    };
    const answer = await outboundRequest(`http://rebind.test:${port}/`, {}, deps);
    expect(answer.status).toBe(200);
    expect(n).toBe(1);
  });

  it("checks every redirect again, and refuses a redirect to a forbidden address before connecting", async () => {
    const w = world({ "hooks.test": ["127.0.0.1"], "meta.test": ["169.254.169.254"] });
    const ok = await outboundRequest(
      `http://hooks.test:${port}/to?next=/hook&status=307`,
      { method: "POST", body: "b" },
      w.deps,
    );
    expect(ok.body.toString()).toBe("got b");
    expect(ok.url).toBe(`http://hooks.test:${port}/hook`);

    w.connects.length = 0;
    const next = encodeURIComponent("http://meta.test/latest/meta-data/");
    const err = await refusal(outboundRequest(`http://hooks.test:${port}/to?next=${next}`, {}, w.deps));
    expect(err.reason).toBe("forbidden-address");
    expect(w.connects).toEqual(["127.0.0.1"]);
    expect(w.calls).toContain("meta.test");

    const loop = encodeURIComponent(`http://hooks.test:${port}/to?next=/x`);
    const many = await refusal(
      outboundRequest(`http://hooks.test:${port}/to?next=${loop}`, { maxRedirects: 1 }, w.deps),
    );
    expect(many.reason).toBe("too-many-redirects");
    const none = await outboundRequest(
      `http://hooks.test:${port}/to?next=/hook`,
      { maxRedirects: 0 },
      w.deps,
    );
    expect(none.status).toBe(302);
  });

  it("turns a POST into a GET without body on 303", async () => {
    const w = world({ "hooks.test": ["127.0.0.1"] });
    const answer = await outboundRequest(
      `http://hooks.test:${port}/to?next=/hook&status=303`,
      { method: "POST", body: "gone" },
      w.deps,
    );
    expect(answer.body.toString()).toBe("got ");
    expect(seen.at(-1)?.method).toBe("GET");
  });

  it("caps the answer's size and the exchange's time", async () => {
    const w = world({ "hooks.test": ["127.0.0.1"] });
    expect(
      (await refusal(outboundRequest(`http://hooks.test:${port}/big`, { maxBytes: 1000 }, w.deps))).reason,
    ).toBe("too-large");
    expect(
      (await outboundRequest(`http://hooks.test:${port}/big`, { maxBytes: 4096 }, w.deps)).body.length,
    ).toBe(4096);
    expect(
      (await refusal(outboundRequest(`http://hooks.test:${port}/slow`, { timeoutMs: 200 }, w.deps))).reason,
    ).toBe("timeout");
  });

  it("answers connection-failed when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const w = world({ "hooks.test": ["127.0.0.1"] });
    expect((await refusal(outboundRequest(`http://hooks.test:${free}/`, {}, w.deps))).reason).toBe(
      "connection-failed",
    );
  });
});
