// mic's own RPC program on the mount's NFS port (program 0x20004d49, "MI" in the range RFC 5531
// leaves to users): one procedure taking and answering a JSON document, so `mic status`,
// `mic diff`, `mic land`, `mic sync` and `mic unmount` run in the mount's server, which holds
// the overlay. Only loopback connections are answered (the server listens on 127.0.0.1).
import { timingSafeEqual } from "node:crypto";
import net from "node:net";
import { CliError, EXIT } from "../exit-codes.ts";
import type { MountSession } from "./mount-session.ts";
import { frame, type Program, RecordReader } from "./rpc.ts";
import { XdrReader, XdrWriter } from "./xdr.ts";

export const CONTROL_PROGRAM = 0x20004d49;

export type ControlRequest = (
  | { op: "status" | "diff" | "stop" }
  | { op: "land"; goal: string }
  | { op: "sync"; at?: string }
) & { secret?: string };

/**
 * Every request carries the mount's secret, which only its record (mount.json, mode 0600 in the
 * user's cache directory) holds: another local user reaching the loopback port cannot land,
 * sync or stop with this user's token.
 */
export function controlProgram(session: MountSession, secret: string, stop: () => Promise<void>): Program {
  const run = async (req: ControlRequest): Promise<unknown> => {
    switch (req.op) {
      case "status":
        return session.status();
      case "diff":
        return session.diff();
      case "land":
        return session.land(req.goal);
      case "sync":
        return session.moveTo(req.at, true);
      case "stop":
        setImmediate(() => void stop());
        return { stopped: true };
    }
  };
  return {
    prog: CONTROL_PROGRAM,
    vers: 1,
    procs: {
      1: async (call, out) => {
        const req = JSON.parse(call.args.string(1 << 20)) as ControlRequest;
        const given = Buffer.from(String(req.secret ?? ""));
        if (given.length !== secret.length || !timingSafeEqual(given, Buffer.from(secret))) {
          out.string(JSON.stringify({ error: "not this mount's owner (wrong secret)", code: EXIT.notFound }));
          return;
        }
        try {
          out.string(JSON.stringify({ ok: await run(req) }));
        } catch (err) {
          const e = err instanceof CliError ? err : new CliError((err as Error).message, EXIT.unreachable);
          out.string(JSON.stringify({ error: e.message, code: e.code, details: e.details }));
        }
      },
    },
  };
}

/** Sends one request to a mount's server and returns its answer (a CliError on failure). */
export function control<T>(
  mount: { nfs_port: number; secret: string },
  req: ControlRequest,
  timeoutMs = 60 * 60_000,
): Promise<T> {
  const port = mount.nfs_port;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const records = new RecordReader();
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error("timed out")));
    socket.on("error", (e) =>
      reject(
        new CliError(`cannot reach the mount's server on port ${port} (${e.message})`, EXIT.unreachable),
      ),
    );
    socket.on("connect", () => {
      const call = new XdrWriter().uint(1).uint(0).uint(2).uint(CONTROL_PROGRAM).uint(1).uint(1);
      call
        .uint(0)
        .opaque(Buffer.alloc(0))
        .uint(0)
        .opaque(Buffer.alloc(0))
        .string(JSON.stringify({ ...req, secret: mount.secret }));
      socket.write(frame(call.toBuffer()));
    });
    socket.on("data", (chunk: Buffer) => {
      const [msg] = records.push(chunk);
      if (!msg) return;
      socket.end();
      try {
        const r = new XdrReader(msg);
        r.uint(); // xid
        r.uint(); // REPLY
        if (r.uint() !== 0) throw new Error("call denied");
        r.uint();
        r.opaque(400); // verifier
        if (r.uint() !== 0) throw new Error("call not accepted");
        const doc = JSON.parse(r.string(1 << 24)) as {
          ok?: T;
          error?: string;
          code?: number;
          details?: Record<string, unknown>;
        };
        if (doc.error !== undefined)
          reject(new CliError(doc.error, doc.code ?? EXIT.unreachable, doc.details ?? {}));
        else resolve(doc.ok as T);
      } catch (e) {
        reject(new CliError(`bad answer from the mount's server: ${(e as Error).message}`, EXIT.unreachable));
      }
    });
  });
}
