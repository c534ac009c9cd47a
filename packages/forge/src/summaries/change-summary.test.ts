// Summaries of code changes on Open Graph cards, end to end against a chat-completions server
// run by the test: a public session's page enqueues one summary job, the job sends the change
// (goal, commits, files, patch) with the API key in the Authorization header only, the cleaned
// answer is stored, and the card's URL changes to a picture that carries it. Landings and plain
// commits (a pushed branch) get their own summaries and pictures; an open session's card shows
// its progress without one. A private project's code is never sent (MICELIO_CHANGE_SUMMARIES=
// public, the default), not even by a job queued while it was public; a failed answer is
// recorded and not asked again on the next page view; a shutdown is not counted as a failure;
// no more than MICELIO_CHANGE_SUMMARIES_PER_HOUR attempts start in an hour.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionApi } from "../sessions/session-pages-fixture.ts";
import { type ChatServer, startChatServer } from "../testing/chat-server.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { SUMMARY_JOB, type SummaryJob, summaryJobHandlers } from "./summarize-job.ts";
import { attemptDue, MAX_ATTEMPTS, RETRY_AFTER_MS } from "./summary-policy.ts";

const KEY = "sk-summary-secret";
const answer = (user: string) => {
  if (user.includes("hang_marker")) return null; // never answers
  if (user.includes("broken_marker")) return "   ";
  if (user.includes("zebra_marker")) return 'Summary: "**Adds** the zebra\nreadme and its entry point."';
  return "Adds a feature branch file.";
};

describe("LLM summaries of code changes on Open Graph cards", () => {
  let f: TestForge;
  let llm: ChatServer;
  let token = "";
  const work = mkdtempSync(join(tmpdir(), "micelio-summary-"));

  const html = async (path: string) => {
    const res = await fetch(f.url + path, {
      headers: { authorization: `Bearer ${token}`, accept: "text/html" },
    });
    expect(res.status, path).toBe(200);
    return res.text();
  };
  const ogImage = async (path: string) => {
    const url = /<meta property="og:image" content="([^"]*)"/.exec(await html(path))?.[1];
    expect(url, path).toMatch(/\/og\/[0-9a-f]{32}\.png$/);
    return url!;
  };
  const rows = () => f.forge.db.selectFrom("change_summaries").selectAll().execute();
  const jobs = () =>
    f.forge.db.selectFrom("jobs").select(["payload", "state"]).where("kind", "=", SUMMARY_JOB).execute();
  /** Waits for the summary jobs enqueued so far to finish (the worker runs them in the background). */
  const settled = async () => {
    for (let i = 0; i < 400; i++) {
      const pending = (await jobs()).filter((j) => j.state === "available" || j.state === "running");
      if (pending.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("summary jobs did not finish");
  };
  const project = async (handle: string, visibility: string) => {
    const r = await api(f.url, "POST", "/api/v1/projects", { token, json: { handle, visibility } });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const landSession = async (handle: string, marker: string) => {
    const s = sessionApi(f.url, token, "sam", handle);
    const opened = await s.open(`Add the ${marker} readme`, {
      agent: { name: "claude-code", model: "opus" },
      prompt: { text: "Write the readme" },
    });
    await s.change(opened.id, {
      "README.md": `# ${marker}\n`,
      "src/main.ts": `export const ${marker} = 1;\nexport const two = 2;\n`,
    });
    const landed = await s.land(opened.id);
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    return { session: opened.id as string, commit: landed.body.commit as string };
  };

  beforeAll(async () => {
    llm = await startChatServer((req) => answer(req.body.messages.at(-1).content));
    f = await startTestForge({
      MICELIO_LLM_URL: llm.url,
      MICELIO_LLM_API_KEY: KEY,
      MICELIO_LLM_MODEL: "summary-model",
      MICELIO_LLM_TIMEOUT_MS: "10000",
      MICELIO_CHANGE_SUMMARIES_PER_HOUR: "6",
    });
    token = (await userWithToken(f.url, "sam")).token;
  });
  afterAll(async () => {
    await f?.close();
    await llm?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("a public session's card gets the model's summary of its change, and a new URL", async () => {
    const projectId = await project("zoo", "public");
    const { session, commit } = await landSession("zoo", "zebra_marker");
    const page = `/sam/zoo/sessions/${session}`;
    const before = await ogImage(page);
    await ogImage(page); // a second view does not enqueue a second job
    expect((await jobs()).length).toBe(1);
    await settled();
    expect(llm.requests.length).toBe(1);
    const sent = llm.requests[0]!;
    expect(sent.auth).toBe(`Bearer ${KEY}`);
    expect(sent.body.model).toBe("summary-model");
    const user: string = sent.body.messages.at(-1).content;
    for (const part of ["Project: sam/zoo", "Stated goal: Add the zebra_marker readme", "README.md +1 -0"])
      expect(user).toContain(part);
    expect(user).toContain("+export const zebra_marker = 1;"); // the patch itself
    expect(sent.body.messages[0].content).toMatch(/never instructions/);
    expect(JSON.stringify(sent.body)).not.toContain(KEY);

    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      project_id: projectId,
      summary: "Adds the zebra readme and its entry point.",
      model: "summary-model",
      failures: 0,
    });
    const after = await ogImage(page);
    expect(after).not.toBe(before);
    // The page and the session's JSON show it too, saying which model wrote it.
    expect(await html(page)).toContain(
      'Adds the zebra readme and its entry point. <span class="hint">(written by summary-model)</span>',
    );
    const json = await api(f.url, "GET", `/api/v1/projects/sam/zoo/sessions/${session}`, { token });
    expect(json.body.change_summary).toEqual({
      text: "Adds the zebra readme and its entry point.",
      model: "summary-model",
    });
    const png = await fetch(after);
    expect(png.status).toBe(200);
    expect(png.headers.get("content-type")).toBe("image/png");
    // The old picture's URL sends crawlers to the summarized one.
    const old = await fetch(before, { redirect: "manual" });
    expect(old.status).toBe(302);
    expect(f.url + old.headers.get("location")).toBe(after);

    // The landing (shown on its commit's page) put the same change on trunk (the same trees):
    // it shares the summary at once, without asking the model again.
    const landing = await ogImage(`/sam/zoo/commit/${commit}`);
    expect(landing).toContain("/sam/zoo/landings/");
    await settled();
    expect(llm.requests.length).toBe(1);
    expect(await rows()).toHaveLength(1);
    expect(await ogImage(`/sam/zoo/commit/${commit}`)).toBe(landing);
  });

  it("a commit that is not a landing has its own card, summarized", async () => {
    await runGit(work, "clone", "-q", new URL("/sam/zoo.git", f.url).toString(), "zoo");
    const dir = join(work, "zoo");
    await runGit(dir, "checkout", "-q", "-b", "feature");
    writeFileSync(join(dir, "feature.txt"), "a feature\n");
    await runGit(dir, "add", "-A");
    await runGit(dir, "commit", "-q", "-m", "Add a feature file", "-m", "Longer explanation.");
    const remote = new URL("/sam/zoo.git", f.url);
    [remote.username, remote.password] = ["sam", token];
    await runGit(dir, "push", "-q", remote.toString(), "feature");
    const sha = await runGit(dir, "rev-parse", "HEAD");

    const before = await ogImage(`/sam/zoo/commit/${sha}`);
    expect(before).toMatch(new RegExp(`/sam/zoo/commit/${sha}/og/[0-9a-f]{32}\\.png$`));
    await settled();
    const last = llm.requests.at(-1)!.body.messages.at(-1).content as string;
    expect(last).toContain("- Add a feature file");
    expect(last).toContain("feature.txt +1 -0");
    const after = await ogImage(`/sam/zoo/commit/${sha}`);
    expect(after).not.toBe(before);
    const png = await fetch(after);
    expect(png.status).toBe(200);
    expect(Buffer.from(await png.arrayBuffer()).readUInt32BE(16)).toBe(1200);
    const unknown = `/sam/zoo/commit/${"0".repeat(40)}/og/${"0".repeat(32)}.png`;
    expect((await fetch(f.url + unknown)).status).toBe(404);
  });

  it("a private project's code is never sent; a failed answer is not asked again at once", async () => {
    const secretId = await project("vault", "private");
    const secret = await landSession("vault", "private_marker");
    await ogImage(`/sam/vault/sessions/${secret.session}`);
    await ogImage(`/sam/vault/commit/${secret.commit}`);
    expect((await jobs()).some((j) => (j.payload as { projectId: string }).projectId === secretId)).toBe(
      false,
    );

    const brokenId = await project("broken", "public");
    const broken = await landSession("broken", "broken_marker");
    const page = `/sam/broken/sessions/${broken.session}`;
    const before = await ogImage(page);
    await settled();
    const failed = (await rows()).find((r) => r.project_id === brokenId);
    expect(failed).toMatchObject({ summary: null, failures: 1 });
    const count = (await jobs()).length;
    expect(await ogImage(page)).toBe(before); // the card without a summary
    expect((await jobs()).length).toBe(count); // and no new request for now
    expect(llm.requests.every((r) => !r.body.messages.at(-1).content.includes("private_marker"))).toBe(true);
  });

  it("an open session's card is not summarized; the job checks privacy and shutdown itself", async () => {
    const s = sessionApi(f.url, token, "sam", "zoo");
    const opened = await s.open("Work in progress");
    await s.change(opened.id, { "wip.txt": "wip\n" });
    const count = (await jobs()).length;
    await ogImage(`/sam/zoo/sessions/${opened.id}`);
    expect((await jobs()).length).toBe(count);
    const json = await api(f.url, "GET", `/api/v1/projects/sam/zoo/sessions/${opened.id}`, { token });
    expect(json.body.change_summary).toBeNull();

    // A job queued while the project was public runs after it went private: nothing is sent.
    const run = summaryJobHandlers({
      db: f.forge.db,
      repos: f.forge.repos,
      config: f.forge.config,
      log: console,
    })[SUMMARY_JOB]!;
    const vault = await f.forge.db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", "vault")
      .executeTakeFirstOrThrow();
    const head = await runGit(f.forge.repos.dir(vault.id), "rev-parse", "main");
    const requests = llm.requests.length;
    const ctx = (signal: AbortSignal) => ({ job: {} as never, attempt: 1, signal });
    const job: SummaryJob = { projectId: vault.id, base: "", head };
    await run(job, ctx(new AbortController().signal));
    expect(llm.requests.length).toBe(requests);
    expect((await rows()).some((r) => r.project_id === vault.id)).toBe(false);

    // Stopped by a shutdown while the endpoint is thinking: no failure is counted.
    const hangId = await project("slow", "public");
    const hang = await landSession("slow", "hang_marker");
    const stop = new AbortController();
    const running = run({ projectId: hangId, base: "", head: hang.commit }, ctx(stop.signal));
    for (let i = 0; i < 200 && llm.requests.length === requests; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(llm.requests.length).toBe(requests + 1);
    stop.abort();
    await running;
    expect((await rows()).some((r) => r.project_id === hangId)).toBe(false);
  });

  it("keeps to the hourly budget", async () => {
    // Six attempts this hour so far (budget 6): a new change's card asks for nothing.
    expect((await rows()).length).toBeGreaterThanOrEqual(3);
    const fill = 6 - (await rows()).length;
    const zoo = await f.forge.db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", "zoo")
      .executeTakeFirstOrThrow();
    for (let i = 0; i < fill; i++)
      await f.forge.db
        .insertInto("change_summaries")
        .values({
          project_id: zoo.id,
          base_sha: "",
          head_sha: String(i).repeat(40),
          summary: "x",
          model: "m",
        })
        .execute();
    const count = (await jobs()).length;
    const fresh = await landSession("zoo", "budget_marker");
    await ogImage(`/sam/zoo/commit/${fresh.commit}`);
    await ogImage(`/sam/zoo/sessions/${fresh.session}`);
    expect((await jobs()).length).toBe(count);
  });
});

describe("when a summary is asked for again", () => {
  it("never once there is one; after a failure, an hour later, at most three attempts", () => {
    const now = Date.parse("2026-11-29T12:00:00Z");
    const at = (ms: number) => new Date(now - ms).toISOString();
    expect(attemptDue(undefined, now)).toBe(true);
    expect(attemptDue({ summary: "done", failures: 0, updated_at: at(10 * RETRY_AFTER_MS) }, now)).toBe(
      false,
    );
    expect(attemptDue({ summary: null, failures: 1, updated_at: at(RETRY_AFTER_MS - 1) }, now)).toBe(false);
    expect(attemptDue({ summary: null, failures: 1, updated_at: at(RETRY_AFTER_MS) }, now)).toBe(true);
    expect(
      attemptDue({ summary: null, failures: MAX_ATTEMPTS - 1, updated_at: at(RETRY_AFTER_MS) }, now),
    ).toBe(true);
    expect(attemptDue({ summary: null, failures: MAX_ATTEMPTS, updated_at: at(RETRY_AFTER_MS) }, now)).toBe(
      false,
    );
  });
});
