// The session workflow through the generated client against a real forge, on the port that
// also serves pages and REST: over gRPC (HTTP/2 without TLS) and over Connect (HTTP/1.1).
// Open, change, converse, stream, land; a conflicting land answers ABORTED with the
// conflict as structured detail; bad credentials, missing scopes and other users' private
// projects are refused as the REST API refuses them.

import { readFileSync } from "node:fs";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import {
  LandConflictSchema,
  ProblemSchema,
  SessionService,
  SessionStatus,
  type StreamEventsResponse,
} from "./gen/micelio/sessions/v1/sessions_pb.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function refusal(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the call succeeded");
}

let f: TestForge;
let alice: { token: string; readOnly: string };
let bob: string;

beforeAll(async () => {
  f = await startTestForge();
  const a = await userWithToken(f.url, "alice");
  const ro = await userWithToken(f.url, "carol", ["project:read"]);
  alice = { token: a.token, readOnly: ro.token };
  bob = (await userWithToken(f.url, "bob")).token;
  for (const [handle, visibility] of [
    ["app", "public"],
    ["secret", "private"],
  ]) {
    const r = await api(f.url, "POST", "/api/v1/projects", { token: a.token, json: { handle, visibility } });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  await f?.close();
});

const transports: [string, () => Transport][] = [
  ["gRPC over HTTP/2", () => createGrpcTransport({ baseUrl: f.url })],
  ["Connect over HTTP/1.1", () => createConnectTransport({ baseUrl: f.url, httpVersion: "1.1" })],
];

describe.each(transports)("session service, %s", (name, transport) => {
  let client: Client<typeof SessionService>;
  const project = { owner: "alice", project: "app" };
  const tag = name.startsWith("gRPC") ? "grpc" : "connect";
  beforeAll(() => {
    client = createClient(SessionService, transport());
  });

  it("opens, changes, converses, streams and lands a session", async () => {
    const { session } = await client.createSession(
      {
        project,
        goal: `Add a greeting (${tag})`,
        agent: { name: "claude", model: "opus" },
        prompt: { text: "Greet the reader", costUsd: 0.5 },
      },
      auth(alice.token),
    );
    expect(session).toMatchObject({ status: SessionStatus.OPEN, author: "alice", agent: { name: "claude" } });
    expect(session?.prompt).toMatchObject({ text: "Greet the reader", costUsd: 0.5 });
    expect(session?.generationDepth).toBe(1);
    const id = session!.id;
    const put = await client.putChanges(
      {
        project,
        sessionId: id,
        changes: [
          { path: `${tag}/hello.txt`, change: { case: "content", value: bytes("hello\nworld\n") } },
          { path: `${tag}/run.sh`, change: { case: "content", value: bytes("echo hi\n") }, mode: "100755" },
        ],
      },
      auth(alice.token),
    );
    expect(put.paths).toEqual([`${tag}/hello.txt`, `${tag}/run.sh`]);
    expect(put.linesAdded).toBe(3);
    const appended = await client.appendEvents(
      {
        project,
        sessionId: id,
        events: [
          { kind: "prompt", text: "Say hello", tokens: 12 },
          { kind: "decision", text: "Two files", rationale: "one per concern" },
        ],
      },
      auth(alice.token),
    );
    expect(appended.events.map((e) => [e.seq, e.kind])).toEqual([
      [1, "prompt"],
      [2, "decision"],
    ]);
    const streamed: StreamEventsResponse[] = [];
    for await (const m of client.streamEvents({ project, sessionId: id, afterSeq: 1 })) streamed.push(m);
    expect(streamed.map((m) => m.item.case)).toEqual(["event"]);
    expect(streamed[0].item.value).toMatchObject({
      seq: 2,
      kind: "decision",
      data: { rationale: "one per concern" },
    });

    const landed = await client.landSession({ project, sessionId: id }, auth(alice.token));
    expect(landed.position).toBeGreaterThan(0);
    expect(landed.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Buffer.from(landed.commitObject!).toString()).toContain(`tree ${landed.tree}`);
    expect(landed.session).toMatchObject({ status: SessionStatus.LANDED, landedPosition: landed.position });
    expect(landed.session!.tokensInput).toBe(12n);
    // The same session, as REST sees it.
    const rest = await api(f.url, "GET", `/api/v1/projects/alice/app/sessions/${id}`);
    expect(rest.body).toMatchObject({ status: "landed", landed_position: landed.position, touched_paths: 2 });
    const got = await client.getSession({ project, sessionId: id });
    expect(got.session?.landedCommit).toBe(landed.commit);
    const listed = await client.listSessions({ project, status: SessionStatus.LANDED });
    expect(listed.sessions.map((s) => s.id)).toContain(id);
    // A landed session takes no more changes: a precondition, not a conflict a sync can fix.
    const closed = await refusal(
      client.putChanges(
        { project, sessionId: id, changes: [{ path: "x", change: { case: "content", value: bytes("x") } }] },
        auth(alice.token),
      ),
    );
    expect(closed.code).toBe(Code.FailedPrecondition);
    expect(closed.findDetails(ProblemSchema)[0]).toMatchObject({ status: 409 });
  });

  it("answers a conflicting land with ABORTED and the conflict as structured data", async () => {
    const open = async (goal: string, content: string) => {
      const { session } = await client.createSession({ project, goal }, auth(alice.token));
      await client.putChanges(
        {
          project,
          sessionId: session!.id,
          changes: [{ path: `${tag}/shared.txt`, change: { case: "content", value: bytes(content) } }],
        },
        auth(alice.token),
      );
      return session!.id;
    };
    const first = await open("First edit", "one\n");
    const second = await open("Second edit", "two\n");
    const landed = await client.landSession({ project, sessionId: first }, auth(alice.token));
    const err = await refusal(client.landSession({ project, sessionId: second }, auth(alice.token)));
    expect(err.code).toBe(Code.Aborted);
    expect(err.rawMessage).toContain(`${tag}/shared.txt`);
    const [detail] = err.findDetails(LandConflictSchema);
    expect(detail.conflicts).toEqual([
      expect.objectContaining({
        path: `${tag}/shared.txt`,
        position: landed.position,
        sessionId: first,
        goal: "First edit",
        author: "alice",
      }),
    ]);
    expect(err.findDetails(ProblemSchema)[0]).toMatchObject({
      type: "https://micelio.dev/problems/land-conflict",
      status: 409,
    });
    // The session stays open: syncing it onto trunk is the way out.
    const synced = await refusal(client.syncSession({ project, sessionId: second }, auth(alice.token)));
    expect(synced.code).toBe(Code.Aborted); // a textual conflict: the replay does not apply
    const abandoned = await client.abandonSession({ project, sessionId: second }, auth(alice.token));
    expect(abandoned.session?.status).toBe(SessionStatus.ABANDONED);
  });

  it("follows a session's events and status until it closes", async () => {
    const { session } = await client.createSession({ project, goal: `Follow (${tag})` }, auth(alice.token));
    const id = session!.id;
    const seen: StreamEventsResponse["item"][] = [];
    const follow = (async () => {
      for await (const m of client.streamEvents({ project, sessionId: id, follow: true })) {
        seen.push(m.item);
        if (seen.length === 1) {
          await client.appendEvents(
            { project, sessionId: id, events: [{ kind: "output", text: "working" }] },
            auth(alice.token),
          );
        }
        if (m.item.case === "event")
          await client.abandonSession({ project, sessionId: id }, auth(alice.token));
      }
    })();
    await follow;
    expect(seen.map((i) => i.case)).toEqual(["session", "event", "session"]);
    expect(seen[1].value).toMatchObject({ kind: "output", data: { text: "working" } });
    expect(seen[2].value).toMatchObject({ status: SessionStatus.ABANDONED });
  });

  it("refuses bad credentials and tokens without the scope, as REST does", async () => {
    const anonymous = await refusal(client.createSession({ project, goal: "x" }));
    expect(anonymous.code).toBe(Code.Unauthenticated);
    const bad = await refusal(client.getSession({ project, sessionId: "x" }, auth("mic_not-a-token")));
    expect(bad.code).toBe(Code.Unauthenticated);
    expect(bad.findDetails(ProblemSchema)[0]).toMatchObject({ status: 401 });
    const basic = await refusal(
      client.listSessions({ project }, { headers: { authorization: "Basic YWxpY2U6eA==" } }),
    );
    expect(basic.code).toBe(Code.Unauthenticated);
    const scoped = await refusal(client.createSession({ project, goal: "x" }, auth(alice.readOnly)));
    expect(scoped.code).toBe(Code.PermissionDenied);
    expect(scoped.rawMessage).toContain("session:write");
    const invalid = await refusal(client.createSession({ project, goal: "  " }, auth(alice.token)));
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(invalid.findDetails(ProblemSchema)[0].errors[0]).toMatchObject({ field: "goal" });
  });

  it("never shows another user's private project", async () => {
    const secret = { owner: "alice", project: "secret" };
    const { session } = await client.createSession({ project: secret, goal: "Hidden" }, auth(alice.token));
    const id = session!.id;
    expect((await client.getSession({ project: secret, sessionId: id }, auth(alice.token))).session?.id).toBe(
      id,
    );
    for (const who of [auth(bob), {}]) {
      // One call at a time: a refusal that came while another was awaited would be unhandled.
      for (const call of [
        () => client.getSession({ project: secret, sessionId: id }, who),
        () => client.listSessions({ project: secret }, who),
        () => client.landSession({ project: secret, sessionId: id }, who),
        async () => {
          for await (const _ of client.streamEvents({ project: secret, sessionId: id }, who));
        },
      ]) {
        const err = await refusal(call());
        expect([Code.NotFound, Code.Unauthenticated]).toContain(err.code);
        expect(err.rawMessage).not.toContain("Hidden");
      }
      const err = await refusal(client.getSession({ project: secret, sessionId: id }, who));
      expect(err.code).toBe(Code.NotFound);
    }
    const missing = await refusal(
      client.getSession({ project: { owner: "alice", project: "nope" }, sessionId: id }, auth(bob)),
    );
    expect(missing.code).toBe(Code.NotFound);
  });
});

it("serves pages and REST on the same port as gRPC", async () => {
  const page = await fetch(`${f.url}/health`);
  expect(await page.json()).toEqual({ status: "ok" });
  const rest = await api(f.url, "GET", "/api/v1/projects/alice/app/sessions");
  expect(rest.status).toBe(200);
});

it("is documented, every method, in /skill.md and docs/grpc.md", async () => {
  const skill = await (await fetch(`${f.url}/skill.md`)).text();
  const guide = readFileSync(new URL("../../../../docs/grpc.md", import.meta.url), "utf8");
  for (const doc of [skill, guide]) {
    expect(doc).toContain(SessionService.typeName);
    for (const m of SessionService.methods) expect(doc).toContain(`\`${m.name}\``);
  }
});
