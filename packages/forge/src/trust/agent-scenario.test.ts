// The acceptance scenario of docs/trust.md ("Three agents, sixty attempts"): a careful agent,
// a sloppy one and a spammer, 20 attempts each, against a real forge whose quality gate runs
// trunk's checks in the bubblewrap sandbox, under the standard policy with 12 sessions a day
// at tier small. Time passes by moving the project's records back (the policy reads times
// from them). It ends with the tiers, scores and refusals the documentation predicts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";
import { sandboxAvailability } from "../testing/sandbox-available.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-scenario-"));
const b64 = (s: string) => Buffer.from(s).toString("base64");
const P = "https://micelio.dev/problems/";
const sandbox = await sandboxAvailability();
const SLOW = 600_000;

/** The lines of careful's module i: distinct from every other module's. */
const moduleText = (i: number) =>
  Array.from(
    { length: 8 },
    (_, k) => `export const m${i}_${k} = "module ${i} part ${k}: ${(i * 31 + k) * 17}";`,
  ).join("\n");

describe.skipIf(!sandbox.available)(`three agents, sixty attempts (sandbox: ${sandbox.reason})`, () => {
  let f: TestForge;
  let r: Roles;
  let projectId = "";
  const base = "/api/v1/projects/acme/arena";
  /** Outcome of every attempt: "landed", "held", or the refusal's problem name. */
  const outcomes: Record<string, string[]> = { careful: [], hasty: [], flood: [] };
  const problem = (body: { type?: string }) => (body.type ?? "").replace(P, "");

  /** Moves the project's records `minutes` into the past: time passes for the policy. */
  async function elapse(minutes: number) {
    const shift = sql`make_interval(mins => ${minutes})`;
    await sql`UPDATE sessions SET created_at = created_at - ${shift}, updated_at = updated_at - ${shift},
              landed_at = landed_at - ${shift} WHERE project_id = ${projectId}`.execute(f.forge.db);
    await sql`UPDATE validation_runs SET created_at = created_at - ${shift}, finished_at = finished_at - ${shift}
              WHERE project_id = ${projectId}`.execute(f.forge.db);
  }

  /** One attempt: open a session, upload files, land; approve (or reject) what is held for review. */
  async function attempt(
    who: "member" | "other",
    agent: string,
    prompt: string,
    files: Record<string, string>,
    review: "approve" | "reject" = "approve",
  ) {
    const s = await r.call(who, "POST", `${base}/sessions`, {
      goal: prompt,
      agent: { name: agent, model: `${agent}-model` },
      prompt: { text: prompt },
    });
    if (s.status !== 201) return outcomes[agent]!.push(problem(s.body));
    const changes = Object.entries(files).map(([path, text]) => ({ path, content: b64(text) }));
    const put = await r.call(who, "PUT", `${base}/sessions/${s.body.id}/changes`, { changes });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const land = await r.call(who, "POST", `${base}/sessions/${s.body.id}/land`);
    if (land.status === 200) return outcomes[agent]!.push("landed");
    const name = problem(land.body);
    if (name !== "review-required") return outcomes[agent]!.push(name);
    outcomes[agent]!.push(`held:${land.body.rules.map((x: { rule: string }) => x.rule).join(",")}`);
    const decided = await r.call("owner", "POST", `${base}/sessions/${s.body.id}/${review}`, {});
    expect(decided.status).toBe(200);
    if (review === "approve") {
      const again = await r.call(who, "POST", `${base}/sessions/${s.body.id}/land`);
      expect(again.status, JSON.stringify(again.body)).toBe(200);
    }
  }

  const standing = async (account: string, agent: string) =>
    (await r.call("anonymous", "GET", `${base}/agents/${agent}/standing?account=${account}`)).body;

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url);
    const made = await r.call("owner", "POST", "/api/v1/projects", { handle: "arena", owner: "acme" });
    expect(made.status).toBe(201);
    projectId = made.body.id;
    const joined = await r.call("owner", "PUT", `/api/v1/orgs/acme/members/${r.accounts.other.handle}`, {
      role: "member",
    });
    expect(joined.status).toBe(200);
    expect(
      (await r.call("owner", "PUT", `${base}/agent-policy`, { quotas: { small: { day: 12 } } })).status,
    ).toBe(200);
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    mkdirSync(join(src, ".micelio"));
    writeFileSync(
      join(src, ".micelio", "checks.yml"),
      "min_score: 100\nsteps:\n  - name: tests\n    run: grep -qx ok status.txt\n    timeout: 20\n",
    );
    writeFileSync(join(src, "status.txt"), "ok\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "checks");
    const u = new URL("/acme/arena.git", f.url);
    [u.username, u.password] = [r.accounts.owner.handle, r.tokens.owner ?? ""];
    await runGit(src, "push", "-q", u.toString(), "main");
  }, SLOW);
  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "ends with the tiers, scores and refusals docs/trust.md predicts",
    async () => {
      // The careful agent: twenty small, passing changes.
      for (let i = 1; i <= 20; i++) {
        await attempt("member", "careful", `Careful change ${i}: add module ${i} with its documentation`, {
          [`src/module${i}.ts`]: moduleText(i),
        });
        if (i === 5) expect((await standing("mia", "careful")).tier).toBe("large");
      }
      expect(outcomes.careful).toEqual([...Array(3).fill("held:checkpoint"), ...Array(17).fill("landed")]);

      // The sloppy agent: mostly failing changes, two that pass the gate and are rejected.
      const bad = { "status.txt": "not ok\n" };
      const fail = (i: number) => attempt("member", "hasty", `Hasty attempt ${i} at the status file`, bad);
      const topics: Record<number, string> = {
        7: "a first note about caching",
        19: "thoughts on the deploy checklist",
      };
      const good = (i: number) =>
        attempt(
          "member",
          "hasty",
          `Hasty writes ${topics[i]}`,
          { [`notes/hasty${i}.txt`]: `note ${i}\n` },
          "reject",
        );
      for (const i of [1, 2, 3]) await fail(i);
      await fail(4); // backoff: 3 failures in a row, wait 5 min
      await elapse(6);
      await fail(5);
      await fail(6); // backoff: 4 failures, 10 min
      await elapse(11);
      await good(7); // held for its checkpoint, rejected: slop
      await fail(8); // cooling-off: 60 min
      await elapse(61);
      for (const i of [9, 10, 11]) await fail(i);
      await fail(12); // backoff 5 min
      await elapse(6);
      await fail(13);
      await fail(14); // backoff 10 min
      await elapse(11);
      await fail(15);
      await fail(16); // backoff 20 min
      await elapse(21);
      await fail(17);
      await fail(18); // backoff 40 min
      await elapse(41);
      await good(19); // held, rejected again
      await fail(20); // cooling-off
      const V = "validation-failed";
      const B = "validation-backoff";
      expect(outcomes.hasty).toEqual([
        V,
        V,
        V,
        B,
        V,
        B,
        "held:checkpoint",
        "cooling-off",
        V,
        V,
        V,
        B,
        V,
        B,
        V,
        B,
        V,
        B,
        "held:checkpoint",
        "cooling-off",
      ]);

      // The spammer, from another account: copies careful's prompts, then its changes, then floods.
      for (let i = 1; i <= 5; i++)
        await attempt("other", "flood", `Careful change ${i}: add module ${i} with its documentation`, {
          [`x${i}.ts`]: "x\n",
        });
      for (let i = 6; i <= 20; i++)
        await attempt("other", "flood", `Flood ${i}: quick win number ${i * 7919} for the leaderboard`, {
          [`copy/module${i}.ts`]: moduleText(i),
        });
      expect(outcomes.flood).toEqual([
        ...Array(5).fill("near-duplicate"),
        ...Array(12).fill("near-duplicate"),
        ...Array(3).fill("submission-quota"),
      ]);

      const careful = await standing("mia", "careful");
      expect(careful).toMatchObject({
        tier: "auto",
        landed: 20,
        passed_validations: 20,
        checkpoints_remaining: 0,
      });
      expect(careful.reputation).toBeGreaterThan(90);
      const hasty = await standing("mia", "hasty");
      expect(hasty).toMatchObject({
        tier: "small",
        landed: 0,
        passed_validations: 2,
        checkpoints_remaining: 3,
      });
      expect(hasty.reputation).toBeLessThan(30);
      expect(hasty.cooling_off_until).not.toBeNull();
      const flood = await standing(r.accounts.other.handle, "flood");
      expect(flood).toMatchObject({ tier: "small", landed: 0, passed_validations: 0, sessions: 12 });
      expect(flood.quota.day).toMatchObject({ limit: 12, used: 12 });
      expect(flood.reputation).toBeLessThan(15);
      // The agents' records tell the same story across the instance.
      const record = (await r.call("anonymous", "GET", "/api/v1/agents/flood")).body;
      expect(record.inputs).toMatchObject({ slop: 12, landed: 0 });

      // The alert: a maintainer sets the noise breaker at 15 near-duplicate refusals an hour;
      // flood's 17 trip it at once. Agents pause, the administrators are mailed, the event is
      // on the project's stream, and careful is refused until a maintainer resumes.
      const noise = await r.call("owner", "PUT", `${base}/agents/noise`, { duplicates_per_hour: 15 });
      expect(noise.status, JSON.stringify(noise.body)).toBe(200);
      const after = (await r.call("anonymous", "GET", `${base}/agents/noise`)).body;
      expect(after.metrics.find((m: { metric: string }) => m.metric === "duplicates_per_hour")).toMatchObject(
        {
          value: 17,
          threshold: 15,
        },
      );
      expect(after.paused).toMatchObject({ by: "circuit-breaker" });
      expect(after.last_trip).toMatchObject({ metric: "duplicates_per_hour", value: 17, threshold: 15 });
      const paused = await f.forge.db
        .selectFrom("project_events")
        .select("type")
        .where("project_id", "=", projectId)
        .where("type", "=", "agents.paused")
        .execute();
      expect(paused).toHaveLength(1);
      const alerts = await f.forge.db
        .selectFrom("maintainer_alerts")
        .select("kind")
        .where("project_id", "=", projectId)
        .execute();
      expect(alerts.map((a) => a.kind)).toContain("agents.paused");
      await attempt("member", "careful", "Careful change 21: one more module", { "c21.ts": "c\n" });
      expect(outcomes.careful.at(-1)).toBe("agents-paused");
    },
    SLOW,
  );
});
