// Servers and project URLs as users type them: properties over generated names and hosts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CliError } from "./exit-codes.ts";
import { normalizeServer, parseCloneTarget } from "./server-url.ts";

const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/);
const host = fc.oneof(
  fc.constantFrom("localhost", "127.0.0.1", "[::1]"),
  fc.stringMatching(/^[a-z][a-z0-9]{0,8}\.(example|test)$/),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });

describe("server URLs", () => {
  it("adds http:// for loopback hosts and https:// for others, and is idempotent", () => {
    fc.assert(
      fc.property(host, port, (h, p) => {
        const typed = p === undefined ? h : `${h}:${p}`;
        const url = normalizeServer(typed);
        const loopback = /^(localhost|127\.|\[::1\])/.test(h);
        expect(url.startsWith(loopback ? "http://" : "https://")).toBe(true);
        expect(normalizeServer(url)).toBe(url);
        expect(normalizeServer(`${url}/`)).toBe(url);
      }),
    );
    expect(normalizeServer("localhost:4000")).toBe("http://localhost:4000");
    expect(normalizeServer("forge.example")).toBe("https://forge.example");
    expect(() => normalizeServer("ftp://forge.example")).toThrow(CliError);
  });

  it("finds owner, project and server in web and git URLs, and keeps OWNER/PROJECT", () => {
    fc.assert(
      fc.property(host, port, name, name, fc.array(name, { maxLength: 3 }), (h, p, o, n, rest) => {
        const server = normalizeServer(p === undefined ? h : `${h}:${p}`);
        const want = { owner: o, project: n, server };
        expect(parseCloneTarget(`${server}/${o}/${n}`)).toEqual(want);
        expect(parseCloneTarget(`${server}/${o}/${n}.git`)).toEqual(want);
        expect(parseCloneTarget(`${server}/${o}/${n}/${["blob", ...rest].join("/")}?x=1#L2`)).toEqual(want);
        expect(parseCloneTarget(`${o}/${n}`)).toEqual({ owner: o, project: n });
      }),
    );
    expect(parseCloneTarget("https://forge.example/sub/alice/site.git")).toEqual({
      owner: "alice",
      project: "site",
      server: "https://forge.example/sub",
    });
    expect(parseCloneTarget("localhost:4000/alice/site")).toMatchObject({ server: "http://localhost:4000" });
  });

  it("refuses anything else with a usage error, never another exception", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseCloneTarget(s);
        } catch (err) {
          expect(err).toBeInstanceOf(CliError);
          expect((err as CliError).code).toBe(1);
        }
      }),
    );
  });
});
