// The prompt registry through the API: a project's prompts and every prompt across projects,
// searched case-insensitively (wildcards taken literally), filtered by outcome, template and
// agent, paged newest first, with outcome counts and the latest validation score; private
// projects' prompts never reach anyone who may not read them (the five viewers of roles.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun } from "../checks/validation-store.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles, WHO, type Who } from "../testing/roles.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const agent = { name: "coder", model: "m-1" };

describe("prompt registry API", () => {
  let f: TestForge;
  let r: Roles;
  const ids: Record<string, string> = {};
  const open = async (who: Who, project: string, key: string, body: Record<string, unknown>) => {
    const res = await r.call(who, "POST", `/api/v1/projects/${project}/sessions`, {
      goal: key,
      agent,
      ...body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[key] = res.body.id;
    return res.body.id as string;
  };
  const prompts = (who: Who, path: string) => r.call(who, "GET", path);
  const sessionIds = (body: { items: { session_id: string }[] }) => body.items.map((i) => i.session_id);

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url);
    for (const [owner, handle, visibility] of [
      ["acme", "app", "public"],
      ["acme", "vault", "private"],
      [undefined, "solo", "private"],
    ] as const) {
      const made = await r.call("owner", "POST", "/api/v1/projects", { owner, handle, visibility });
      expect(made.status).toBe(201);
      // This test is about the registry: mia's agents land without the trust policy's checkpoints.
      const full = `${owner ?? "olivia"}/${handle}`;
      await r.call("owner", "PUT", `/api/v1/projects/${full}/agent-policy`, {
        strictness: "off",
        checkpoints: 0,
      });
    }
    await r.call("owner", "POST", "/api/v1/projects/acme/app/prompt-templates", {
      id: "fix-bug",
      kind: "bug-fix",
      title: "Fix a bug",
      body: "Fix {{issue}}",
    });
    const parser = await open("member", "acme/app", "Fix the parser", {
      prompt: { text: "Fix the crash in parse() when the INPUT is empty", template: "fix-bug" },
    });
    const base = `/api/v1/projects/acme/app/sessions/${parser}`;
    const changes = [{ path: "parse.ts", content: b64("export const parse = (s: string) => s;\n") }];
    expect((await r.call("member", "PUT", `${base}/changes`, { changes })).status).toBe(200);
    expect((await r.call("member", "POST", `${base}/land`)).status).toBe(200);
    await open("member", "acme/app", "Rename things", { prompt: { text: "Rename 100% of the helpers" } });
    await open("owner", "acme/app", "Abandoned idea", {
      agent: { name: "other-bot" },
      prompt: { text: "Rewrite the parser in Rust", revises: parser },
    });
    await r.call("owner", "POST", `/api/v1/projects/acme/app/sessions/${ids["Abandoned idea"]}/abandon`);
    await open("member", "acme/app", "Rejected change", { prompt: { text: "Delete the parser tests" } });
    const db = f.forge.db;
    await db
      .updateTable("sessions")
      .set({ status: "rejected" })
      .where("id", "=", ids["Rejected change"]!)
      .execute();
    await r.call("member", "POST", "/api/v1/projects/acme/app/sessions", {
      goal: "A person's change about the parser",
    });
    const run = await startRun(db, {
      projectId: (
        await db
          .selectFrom("sessions")
          .select("project_id")
          .where("id", "=", parser)
          .executeTakeFirstOrThrow()
      ).project_id,
      sessionId: parser,
      sessionCommit: "a".repeat(40),
      trunkCommit: null,
      trunkPosition: 0,
      configBlob: "b".repeat(40),
      trigger: "changes",
      provider: "test",
      minScore: 80,
    });
    await db
      .updateTable("validation_runs")
      .set({ status: "passed", aggregate_score: 92.5 })
      .where("id", "=", run.id)
      .execute();
    await open("member", "acme/vault", "Vault work", { prompt: { text: "Rotate the VAULTSECRET keys" } });
    await open("owner", "olivia/solo", "Solo work", { prompt: { text: "Tidy the SOLOSECRET notes" } });
  });
  afterAll(() => f.close());

  it("lists a project's prompts newest first with outcome, template, lineage, counts and score", async () => {
    const res = await prompts("anonymous", "/api/v1/projects/acme/app/prompts");
    expect(res.status).toBe(200);
    expect(sessionIds(res.body)).toEqual([
      ids["Rejected change"],
      ids["Abandoned idea"],
      ids["Rename things"],
      ids["Fix the parser"],
    ]);
    expect(res.body.counts).toEqual({ landed: 1, rejected: 1, abandoned: 1, open: 1 });
    const landed = res.body.items[3];
    expect(landed).toMatchObject({
      project: "acme/app",
      goal: "Fix the parser",
      excerpt: "Fix the crash in parse() when the INPUT is empty",
      template: "fix-bug",
      outcome: "landed",
      agent: { name: "coder", model: "m-1" },
      generation_depth: 1,
      validation: { status: "passed", score: 92.5, min_score: 80 },
      url: `/acme/app/sessions/${ids["Fix the parser"]}`,
    });
    expect(landed.text).toBeUndefined();
    expect(res.body.items[1]).toMatchObject({
      outcome: "abandoned",
      revises: ids["Fix the parser"],
      validation: null,
    });
    const full = await prompts("anonymous", "/api/v1/projects/acme/app/prompts?full=true&outcome=landed");
    expect(full.body.items.map((i: { text: string }) => i.text)).toEqual([
      "Fix the crash in parse() when the INPUT is empty",
    ]);
  });

  it("searches case-insensitively, takes wildcards literally, filters and pages", async () => {
    const q = async (query: string) =>
      sessionIds((await prompts("anonymous", `/api/v1/projects/acme/app/prompts?${query}`)).body);
    expect(await q("q=PARSER")).toEqual([
      ids["Rejected change"],
      ids["Abandoned idea"],
      ids["Fix the parser"],
    ]);
    expect(await q("q=input%20is")).toEqual([ids["Fix the parser"]]);
    expect(await q("q=100%25")).toEqual([ids["Rename things"]]);
    expect(await q("q=_")).toEqual([]);
    expect(await q("q=parser&outcome=rejected")).toEqual([ids["Rejected change"]]);
    expect(await q("template=fix-bug")).toEqual([ids["Fix the parser"]]);
    expect(await q("agent=other-bot")).toEqual([ids["Abandoned idea"]]);
    const counted = await prompts("anonymous", "/api/v1/projects/acme/app/prompts?q=parser&outcome=landed");
    expect(counted.body.counts).toEqual({ landed: 1, rejected: 1, abandoned: 1, open: 0 });
    const first = await prompts("anonymous", "/api/v1/projects/acme/app/prompts?limit=3");
    expect(first.body.next_before).toBe(ids["Rename things"]);
    const second = await prompts(
      "anonymous",
      `/api/v1/projects/acme/app/prompts?limit=3&before=${first.body.next_before}`,
    );
    expect(sessionIds(second.body)).toEqual([ids["Fix the parser"]]);
    expect(second.body.next_before).toBeNull();
    expect((await prompts("anonymous", `/api/v1/prompts?q=${"x".repeat(201)}`)).status).toBe(400);
    expect((await prompts("anonymous", "/api/v1/prompts?outcome=merged")).status).toBe(400);
    expect((await prompts("anonymous", "/api/v1/prompts?before=x")).status).toBe(400);
  });

  it("never shows a private project's prompts to anyone who may not read it", async () => {
    const vault: Record<Who, number> = { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 };
    const solo: Record<Who, number> = { anonymous: 404, other: 404, member: 404, owner: 200, admin: 200 };
    for (const who of WHO) {
      expect((await prompts(who, "/api/v1/projects/acme/vault/prompts")).status, who).toBe(vault[who]);
      expect((await prompts(who, "/api/v1/projects/olivia/solo/prompts?q=solo")).status, who).toBe(solo[who]);
      const everywhere = (await prompts(who, "/api/v1/prompts")).body;
      const seen = everywhere.items.map((i: { project: string }) => i.project);
      expect(seen.includes("acme/vault"), who).toBe(vault[who] === 200);
      expect(seen.includes("olivia/solo"), who).toBe(solo[who] === 200);
      expect(seen.filter((p: string) => p === "acme/app")).toHaveLength(4);
      const secret = (await prompts(who, "/api/v1/prompts?q=secret")).body;
      expect(JSON.stringify(secret).includes("VAULTSECRET"), who).toBe(vault[who] === 200);
      expect(JSON.stringify(secret).includes("SOLOSECRET"), who).toBe(solo[who] === 200);
      const total = Object.values(secret.counts as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(total, who).toBe(Number(vault[who] === 200) + Number(solo[who] === 200));
    }
  });
});
