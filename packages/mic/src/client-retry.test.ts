// mic's HTTP client keeps connections alive; a kept connection the server dropped while idle
// fails with ECONNRESET before any answer. That request is sent again on a new connection;
// a reset after the answer began, or on a fresh connection, is not retried.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "./client.ts";

describe("mic's client on a kept connection the server dropped", () => {
  let server: Server;
  let url = "";
  const seen: { socket: number; n: number }[] = [];
  let sockets = 0;
  let dropSecond = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const s = req.socket as typeof req.socket & { micId?: number; served?: number };
      s.micId ??= ++sockets;
      s.served = (s.served ?? 0) + 1;
      seen.push({ socket: s.micId, n: s.served });
      // The second request on a kept connection: dropped unread, as a server closing an idle
      // connection at that moment would.
      if (s.served === 2 && dropSecond) return s.destroy();
      if (req.url === "/always-reset") return s.destroy();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, socket: s.micId }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends the request again on a new connection", async () => {
    const first = await request({ server: url }, "GET", "/a");
    expect(first).toEqual({ ok: true, socket: 1 });
    const second = await request({ server: url }, "POST", "/b", { x: 1 });
    expect(second).toEqual({ ok: true, socket: 2 });
    expect(seen).toEqual([
      { socket: 1, n: 1 },
      { socket: 1, n: 2 },
      { socket: 2, n: 1 },
    ]);
  });

  it("does not retry a reset on a new connection", async () => {
    dropSecond = false;
    await expect(request({ server: url }, "GET", "/always-reset")).rejects.toMatchObject({ code: 4 });
  });
});
