// More than one forge process on one PostgreSQL and one data directory (ADR 23): two
// processes land 200 sessions at once and trunk gets 200 contiguous positions; a process
// SIGKILLed mid-epoch under 100 clients leaves trunk and the database consistent after a
// restart, and no landing it answered 2xx is lost. PostgreSQL only: PGlite is one process.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, dropSchema, openDatabase } from "../src/db/db.ts";
import { api } from "../src/testing/client.ts";
import { exited, type ForgeProcess, landingToken, startForgeProcess } from "../src/testing/forge-process.ts";
import { runGit } from "../src/testing/git.ts";

const URL = process.env.DATABASE_URL;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe.skipIf(!URL)("more than one forge process (needs PostgreSQL: DATABASE_URL is unset)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "micelio-procs-"));
  const schema = `t_procs_${randomBytes(4).toString("hex")}`;
  const env = { DATABASE_URL: URL!, MICELIO_DATABASE_SCHEMA: schema, MICELIO_DATA_DIR: dataDir };
  const forges: ForgeProcess[] = [];
  let db: DatabaseHandle | undefined;
  const start = async () => {
    const f = await startForgeProcess(env);
    forges.push(f);
    return f;
  };
  afterAll(async () => {
    for (const f of forges) f.child.kill("SIGKILL");
    for (const f of forges) await exited(f.child);
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await dropSchema(URL!, schema);
  });

  /** Positions 1…n contiguous, each landing's commit at its place on trunk's first-parent line. */
  async function consistent(projectId: string) {
    db ??= await openDatabase({ url: URL, schema });
    const landings = await db.db
      .selectFrom("landings")
      .select(["position", "commit_sha", "session_id"])
      .where("project_id", "=", projectId)
      .orderBy("position")
      .execute();
    expect(landings.map((l) => l.position)).toEqual(landings.map((_, i) => i + 1));
    const trunk = (
      await runGit(
        join(dataDir, "repos", `${projectId}.git`),
        "rev-list",
        "--first-parent",
        "--reverse",
        "main",
      )
    )
      .split("\n")
      .filter(Boolean);
    expect(trunk).toEqual(landings.map((l) => l.commit_sha));
    const head = await db.db
      .selectFrom("projects")
      .select("head_position")
      .where("id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(head.head_position).toBe(landings.length);
    return landings;
  }

  /** One cycle: open a session on `a`, PUT one new file on `b`, land on `c`. */
  async function cycle(api_: string, token: string, path: string, a: string, b: string, c: string) {
    const s = await api(a, "POST", `${api_}/sessions`, { token, json: { goal: `add ${path}` } });
    expect(s.status).toBe(201);
    const put = await api(b, "PUT", `${api_}/sessions/${s.body.id}/changes`, {
      token,
      json: { changes: [{ path, content: b64(`${path}\n`) }] },
    });
    expect(put.status).toBe(200);
    return {
      id: s.body.id as string,
      land: await api(c, "POST", `${api_}/sessions/${s.body.id}/land`, { token }),
    };
  }

  it("lands 200 sessions through two processes at once at 200 contiguous positions, all on trunk", async () => {
    const [one, two] = await Promise.all([start(), start()]);
    const token = await landingToken(one.url, "twoprocs");
    const project = await api(two.url, "POST", "/api/v1/projects", { token, json: { handle: "both" } });
    expect(project.status).toBe(201);
    const path = "/api/v1/projects/twoprocs/both";
    const urls = [one.url, two.url];
    let next = 0;
    const results: Array<{ id: string; status: number; position: number }> = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, c) => {
        for (let n = next++; n < 200; n = next++) {
          const r = await cycle(
            path,
            token,
            `c${c}/f${n}.txt`,
            urls[n % 2],
            urls[(n + 1) % 2],
            urls[(n + c) % 2],
          );
          results.push({ id: r.id, status: r.land.status, position: r.land.body?.position });
        }
      }),
    );
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const landings = await consistent(project.body.id);
    expect(landings).toHaveLength(200);
    expect(new Set(results.map((r) => r.position)).size).toBe(200);
    for (const r of results) expect(landings[r.position - 1].session_id).toBe(r.id);
  }, 240_000);

  it("keeps trunk and the database consistent after a SIGKILL mid-epoch under 100 clients, losing no answered landing", async () => {
    let forge = forges[0] ?? (await start());
    const token = await landingToken(forge.url, "killed");
    const project = await api(forge.url, "POST", "/api/v1/projects", { token, json: { handle: "crash" } });
    const path = "/api/v1/projects/killed/crash";
    const answered = new Map<string, { position: number; commit: string }>();
    let stop = false;
    let landed = 0;
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const r = await cycle(path, token, `c${c}/f${n}.txt`, forge.url, forge.url, forge.url).catch(
          () => null,
        );
        if (r?.land.status === 200) {
          answered.set(r.id, r.land.body);
          landed++;
        }
      }
    };
    const clients = Array.from({ length: 100 }, (_, c) => client(c));
    while (landed < 60) await new Promise((r) => setTimeout(r, 20));
    forge.child.kill("SIGKILL"); // land calls are in flight: some epoch is under way
    stop = true;
    await exited(forge.child);
    await Promise.all(clients);
    forge = await start(); // recovery reconciles trunk and database before serving
    const landings = await consistent(project.body.id);
    const bySession = new Map(landings.map((l) => [l.session_id, l]));
    expect(answered.size).toBeGreaterThanOrEqual(60);
    for (const [id, outcome] of answered) {
      expect(bySession.get(id)?.position).toBe(outcome.position);
      expect(bySession.get(id)?.commit_sha).toBe(outcome.commit);
    }
    // The forge lands again after the restart, at the next position.
    const after = await cycle(path, token, "after/restart.txt", forge.url, forge.url, forge.url);
    expect(after.land.status).toBe(200);
    expect(after.land.body.position).toBe(landings.length + 1);
  }, 240_000);
});
