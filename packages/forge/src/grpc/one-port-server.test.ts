// Properties of the one-port server's protocol sniffing: the HTTP/2 client preface split
// anyhow is HTTP/2, an HTTP/1.x request line is HTTP/1 from its first byte that cannot
// begin the preface, nothing is decided while the bytes so far may still become the preface,
// and a decision never changes with more bytes. Then the same over real sockets: a preface or
// request sent in arbitrary chunks reaches the right server, which answers.
import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnePortServer, PREFACE, prefaceState } from "./one-port-server.ts";

/** The reference: undecided while `head` may still become the preface. */
function expected(head: Buffer): "h2" | "http1" | "undecided" {
  const n = Math.min(head.length, PREFACE.length);
  for (let i = 0; i < n; i++) if (head[i] !== PREFACE[i]) return "http1";
  return head.length >= PREFACE.length ? "h2" : "undecided";
}

/** `buf` cut at arbitrary points into non-empty chunks. */
const chunksOf = (buf: Buffer) =>
  fc.uniqueArray(fc.integer({ min: 1, max: buf.length - 1 }), { maxLength: buf.length - 1 }).map((cuts) => {
    const at = [0, ...cuts.sort((a, b) => a - b), buf.length];
    return at.slice(1).map((end, i) => buf.subarray(at[i], end));
  });

const method = fc.oneof(
  fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PRI", "CONNECT", "TRACE"),
  fc.stringMatching(/^[A-Z]{1,12}$/),
);
const target = fc.oneof(fc.constant("*"), fc.stringMatching(/^\/[A-Za-z0-9._~/?=&%-]{0,40}$/));
const requestLine = fc
  .tuple(method, target, fc.constantFrom("HTTP/1.0", "HTTP/1.1"))
  .map(([m, t, v]) => Buffer.from(`${m} ${t} ${v}\r\n`, "latin1"));
const body = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));

describe("prefaceState", () => {
  it("recognises the preface, however it is split, only once all of it arrived", () => {
    fc.assert(
      fc.property(chunksOf(PREFACE), body, (chunks, rest) => {
        let head = Buffer.alloc(0);
        for (const chunk of chunks) {
          head = Buffer.concat([head, chunk]);
          expect(prefaceState(head)).toBe(head.length < PREFACE.length ? "undecided" : "h2");
        }
        expect(prefaceState(Buffer.concat([head, rest]))).toBe("h2");
      }),
    );
  });

  it("recognises any HTTP/1.x request line, deciding at its first byte the preface cannot have", () => {
    fc.assert(
      fc.property(requestLine, body, (line, rest) => {
        expect(prefaceState(line)).toBe("http1");
        expect(prefaceState(Buffer.concat([line, rest]))).toBe("http1");
        const differs = [...line].findIndex((b, i) => b !== PREFACE[i]);
        for (let n = 1; n <= line.length; n++)
          expect(prefaceState(line.subarray(0, n))).toBe(n <= differs ? "undecided" : "http1");
      }),
    );
  });

  it("decides nothing before enough bytes arrived, and never changes its mind", () => {
    const head = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      // The preface cut short, or with one byte changed: the interesting cases.
      fc.integer({ min: 0, max: PREFACE.length }).map((n) => PREFACE.subarray(0, n)),
      fc
        .tuple(fc.integer({ min: 0, max: PREFACE.length }), fc.integer({ min: 0, max: 255 }), body)
        .map(([n, b, rest]) => Buffer.concat([PREFACE.subarray(0, n), Buffer.from([b]), rest])),
    );
    fc.assert(
      fc.property(head, body, (h, more) => {
        const state = prefaceState(h);
        expect(state).toBe(expected(h));
        if (state !== "undecided") expect(prefaceState(Buffer.concat([h, more]))).toBe(state);
      }),
    );
    expect(prefaceState(Buffer.alloc(0))).toBe("undecided");
  });
});

describe("one port, real sockets", () => {
  const server = createOnePortServer((req, res) => {
    res.setHeader("content-type", "text/plain");
    res.end(`ok ${req.httpVersion}`);
  });
  let port = 0;
  beforeAll(async () => {
    port = (await server.listen(0, "127.0.0.1")).port;
  });
  afterAll(() => server.close(100));

  /** Sends the chunks one by one on a fresh connection; resolves with what came back. */
  function exchange(chunks: Buffer[], enough: (got: Buffer) => boolean): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.setNoDelay(true);
      let got = Buffer.alloc(0);
      const finish = () => {
        socket.destroy();
        resolve(got);
      };
      socket.on("data", (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (enough(got)) finish();
      });
      socket.on("end", finish);
      socket.on("error", reject);
      socket.once("connect", async () => {
        for (const chunk of chunks) {
          socket.write(chunk);
          await new Promise((r) => setImmediate(r));
        }
      });
    });
  }

  it("hands a preface sent in any chunks to the HTTP/2 server", async () => {
    // An empty SETTINGS frame completes the client's connection preface.
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    await fc.assert(
      fc.asyncProperty(chunksOf(Buffer.concat([PREFACE, settings])), async (chunks) => {
        const got = await exchange(chunks, (g) => g.length >= 9);
        expect(got[3], "the server's first frame is SETTINGS").toBe(4);
      }),
      { numRuns: 25 },
    );
  });

  it("hands a request sent in any chunks to the HTTP/1.1 server", async () => {
    // (Node's HTTP/1 parser itself refuses the method PRI: prefaceState's tests cover it.)
    const request = fc
      .constantFrom("GET", "POST", "PUT", "PATCH")
      .map((m) =>
        Buffer.from(`${m} /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`),
      );
    await fc.assert(
      fc.asyncProperty(request.chain(chunksOf), async (chunks) => {
        const got = (await exchange(chunks, () => false)).toString("latin1");
        expect(got).toMatch(/^HTTP\/1\.1 200 /);
        expect(got.endsWith("ok 1.1")).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});
