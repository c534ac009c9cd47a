// A fork inherits its parent's landings: same positions and commits, each pointing at the
// parent's session, so blame in the fork names the session that wrote each line (not one
// implicit landing for all of history); the fork's own sessions land after them; the parent's
// name shows only to those who may read it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("a fork's inherited landings", () => {
  let f: TestForge;
  let alice: User;
  let bob: User;
  const sessions: string[] = [];

  /** Opens a session on trunk's head, writes `files` and lands it; returns the session id. */
  const land = async (u: User, full: string, goal: string, files: Record<string, string>) => {
    const base = `/api/v1/projects/${full}/sessions`;
    const s = await api(f.url, "POST", base, {
      token: u.token,
      json: { goal, agent: { name: "tester" }, prompt: { text: goal } },
    });
    expect(s.status).toBe(201);
    const changes = Object.entries(files).map(([path, text]) => ({ path, content: b64(text) }));
    const put = await api(f.url, "PUT", `${base}/${s.body.id}/changes`, {
      token: u.token,
      json: { changes },
    });
    expect(put.status).toBe(200);
    const landed = await api(f.url, "POST", `${base}/${s.body.id}/land`, { token: u.token });
    expect(landed.status).toBe(200);
    return s.body.id as string;
  };

  beforeAll(async () => {
    f = await startTestForge();
    alice = await userWithToken(f.url, "alice");
    bob = await userWithToken(f.url, "bob");
    const made = await api(f.url, "POST", "/api/v1/projects", {
      token: alice.token,
      json: { handle: "lib" },
    });
    expect(made.status).toBe(201);
    sessions.push(await land(alice, "alice/lib", "Write the parser", { "parse.ts": "one\ntwo\n" }));
    sessions.push(await land(alice, "alice/lib", "Handle empty input", { "parse.ts": "one\ntwo\nempty\n" }));
  });
  afterAll(() => f.close());

  it("keeps the parent's positions and sessions, and blame names them", async () => {
    const fork = await api(f.url, "POST", "/api/v1/projects/alice/lib/forks", { token: bob.token });
    expect(fork.status).toBe(201);
    expect(fork.body.head_position).toBe(2);
    const log = await api(f.url, "GET", "/api/v1/projects/bob/lib/landings");
    const parentLog = await api(f.url, "GET", "/api/v1/projects/alice/lib/landings");
    expect(log.body.map((l: { position: number; commit: string }) => [l.position, l.commit])).toEqual(
      parentLog.body.map((l: { position: number; commit: string }) => [l.position, l.commit]),
    );
    expect(log.body.map((l: { session: string }) => l.session)).toEqual([sessions[1], sessions[0]]);
    expect(log.body[0]).toMatchObject({ goal: "Handle empty input", session_project: "alice/lib" });

    const blame = await api(f.url, "GET", "/api/v1/projects/bob/lib/blame/HEAD/parse.ts");
    expect(blame.status).toBe(200);
    const why = blame.body.hunks.map((h: { start: number; end: number; landing: any }) => [
      h.start,
      h.end,
      h.landing.position,
      h.landing.session.goal,
      h.landing.session.project,
    ]);
    expect(why).toEqual([
      [1, 2, 1, "Write the parser", "alice/lib"],
      [3, 3, 2, "Handle empty input", "alice/lib"],
    ]);
    // The page links each goal to the parent's session page.
    const page = await fetch(`${f.url}/bob/lib/blame/main/parse.ts`).then((r) => r.text());
    expect(page).toContain(`href="/alice/lib/sessions/${sessions[0]}"`);
  });

  it("lands the fork's own sessions after the inherited ones", async () => {
    const own = await land(bob, "bob/lib", "Add a fast path", { "parse.ts": "one\ntwo\nempty\nfast\n" });
    const blame = await api(f.url, "GET", "/api/v1/projects/bob/lib/blame/main/parse.ts");
    const last = blame.body.hunks.at(-1);
    expect(last.landing).toMatchObject({ position: 3, session: { id: own, project: "bob/lib" } });
    const parent = await api(f.url, "GET", "/api/v1/projects/alice/lib");
    expect(parent.body.head_position).toBe(2); // the fork's landing stays in the fork
  });

  it("names the parent only to those who may read it", async () => {
    // A fork of a public project stays public when its parent goes private.
    const r = await api(f.url, "PATCH", "/api/v1/projects/alice/lib", {
      token: alice.token,
      json: { visibility: "private" },
    });
    expect(r.status).toBe(200);
    const anonymous = await api(f.url, "GET", "/api/v1/projects/bob/lib/blame/main/parse.ts");
    expect(anonymous.body.hunks[0].landing.session).toMatchObject({
      goal: "Write the parser",
      project: null,
    });
    const log = await api(f.url, "GET", "/api/v1/projects/bob/lib/landings");
    expect(log.body.at(-1).session_project).toBeNull();
    const page = await fetch(`${f.url}/bob/lib/blame/main/parse.ts`).then((x) => x.text());
    expect(page).not.toContain("/alice/lib");
    const asAlice = await api(f.url, "GET", "/api/v1/projects/bob/lib/blame/main/parse.ts", {
      token: alice.token,
    });
    expect(asAlice.body.hunks[0].landing.session.project).toBe("alice/lib");
  });
});
