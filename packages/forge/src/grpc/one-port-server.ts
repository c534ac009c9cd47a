// One port for every protocol the forge speaks: a TCP server that reads the first bytes of
// each connection and hands it to an HTTP/2 server when they are the HTTP/2 client preface
// (h2c with prior knowledge, as gRPC clients connect without TLS), else to the HTTP/1.1
// server (pages, git, REST, Connect over HTTP/1.1). Both servers run the same handler.
// HTTP/1.1 keeps Node's header, request and keep-alive timeouts; an HTTP/2 connection idle
// for H2_IDLE_MS is closed gracefully (GOAWAY: its running streams finish), a stream silent
// for H2_STREAM_IDLE_MS is cancelled, and a connection that sends no first bytes within
// the HTTP/1.1 header timeout is dropped. close() stops accepting, lets requests finish and
// cuts what is left after the grace period.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import net, { type AddressInfo, type Socket } from "node:net";

export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
export const H2_IDLE_MS = 2 * 60_000;
export const H2_STREAM_IDLE_MS = 6 * 60_000;
const H2_MAX_STREAMS = 100;

export type AnyHandler = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

/** Whether `head` (the first bytes of a connection) is, or may still become, the HTTP/2 preface. */
export function prefaceState(head: Buffer): "h2" | "http1" | "undecided" {
  const n = Math.min(head.length, PREFACE.length);
  if (!head.subarray(0, n).equals(PREFACE.subarray(0, n))) return "http1";
  return n === PREFACE.length ? "h2" : "undecided";
}

export interface OnePortServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting; requests finish, then after graceMs what is left is cut. */
  close(graceMs: number): Promise<void>;
}

export function createOnePortServer(handler: AnyHandler): OnePortServer {
  const h1 = http.createServer(handler as http.RequestListener);
  const h2 = http2.createServer(
    { settings: { maxConcurrentStreams: H2_MAX_STREAMS } },
    handler as (req: Http2ServerRequest, res: Http2ServerResponse) => void,
  );
  const sessions = new Set<Http2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.setTimeout(H2_IDLE_MS, () => session.close());
    session.on("error", () => session.destroy());
  });
  h2.on("stream", (stream) =>
    stream.setTimeout(H2_STREAM_IDLE_MS, () => stream.close(http2.constants.NGHTTP2_CANCEL)),
  );
  let closing = false;
  const peeking = new Set<Socket>(); // not handed to either server yet
  const route = (socket: Socket) => {
    peeking.add(socket);
    let head = Buffer.alloc(0);
    const drop = () => socket.destroy();
    const timer = setTimeout(drop, h1.headersTimeout || 60_000);
    // Paused mode ('readable' and read()): whatever was read goes back with unshift() and
    // the server taking the socket reads it first (flowing mode would lose it to a pause).
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk; chunk = socket.read() as Buffer | null)
        head = Buffer.concat([head, chunk]);
      const state = prefaceState(head);
      if (state === "undecided") return;
      clearTimeout(timer);
      peeking.delete(socket);
      socket.off("readable", onReadable);
      socket.off("error", drop);
      socket.off("end", drop);
      socket.unshift(head);
      if (closing) return socket.destroy();
      (state === "h2" ? h2 : h1).emit("connection", socket);
    };
    socket.on("readable", onReadable);
    socket.on("error", drop);
    socket.on("end", drop);
    socket.once("close", () => {
      clearTimeout(timer);
      peeking.delete(socket);
    });
  };
  const server = net.createServer({ pauseOnConnect: false }, route);
  // The HTTP/1.1 server never listens itself: 'listening' starts its connection tracking
  // (the header and request timeout checks, closeIdleConnections).
  server.on("listening", () => h1.emit("listening"));
  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close(graceMs) {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve()); // once every connection, of either protocol, has ended
        for (const s of peeking) s.destroy();
        h1.close(); // idle keep-alive connections go now; in-flight requests finish
        for (const s of sessions) s.close(); // GOAWAY: running streams finish
        const cut = setTimeout(() => {
          h1.closeAllConnections();
          for (const s of sessions) s.destroy();
        }, graceMs);
        cut.unref();
      });
    },
  };
}
