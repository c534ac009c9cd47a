// Validating a session: trunk's .micelio/checks.yml decides the steps; the session's change
// spliced onto trunk's current tree is written into a fresh sandbox (sandbox/), every step
// runs (a failing step does not hide the others' results), logs go to the object store and
// the steps, scores and shortfalls to the database. A run of the same session commit on the
// same trunk commit under the same config is reused, so a landing right after the
// changes-time run costs nothing; when trunk has moved, the merged tree is validated again.

import { occurrenceOf } from "../error-tracking/error-tracker.ts";
import type { Forge } from "../http/context.ts";
import { TRUNK } from "../landing/git-land.ts";
import { readSessionChange, type SessionChange } from "../landing/session-read.ts";
import { sandboxProvider } from "../sandbox/sandbox.ts";
import type { SandboxProvider, StepResult } from "../sandbox/types.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { appendEvents } from "../sessions/sessions-service.ts";
import { storeForProject } from "../storage/store-for.ts";
import { noteAgentFailure } from "../trust/circuit-breaker.ts";
import { auditTree } from "./audit/dependency-audit.ts";
import { type CheckStep, type ChecksConfig, parseChecksConfig } from "./checks-config.ts";
import { refuseInvalidChecks } from "./checks-errors.ts";
import { applyStepReport } from "./metrics/step-metrics.ts";
import { scoreRun, shortfalls } from "./score.ts";
import {
  finishRun,
  getRun,
  type RunView,
  reusableRun,
  type StepRecord,
  startRun,
} from "./validation-store.ts";
import { checksBlobIn, mergedTree, writeTree } from "./validation-tree.ts";

/** Runs at once in this process; more wait their turn (each run is CPU and memory heavy). */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const providers = new WeakMap<Forge, SandboxProvider | null>();
/** The forge's sandbox provider (one per forge), or null when it runs none. */
export const providerOf = (forge: Forge) => {
  if (!providers.has(forge)) providers.set(forge, sandboxProvider(forge.config.sandbox));
  return providers.get(forge) ?? null;
};

export interface ProjectAt {
  id: string;
}

/** Parsed configs by blob id (content-addressed: an entry never goes stale); every land reads one. */
const parsedConfigs = new Map<string, ReturnType<typeof parseChecksConfig>>();

/** Trunk's validation config, when it has a valid one. */
export async function trunkChecks(forge: Forge, projectId: string) {
  const repo = forge.git.get(forge.repos.dir(projectId));
  const trunkCommit = await repo.resolveCommit(TRUNK);
  const trunkTree = trunkCommit ? (await repo.readCommit(trunkCommit)).tree : null;
  const blob = trunkTree ? await checksBlobIn(repo, trunkTree) : null;
  if (!blob) return { repo, trunkCommit, trunkTree, blob: null, parsed: null };
  let parsed = parsedConfigs.get(blob);
  if (!parsed) {
    parsed = parseChecksConfig((await repo.readType(blob, "blob")).data);
    if (parsedConfigs.size >= 256) parsedConfigs.delete(parsedConfigs.keys().next().value!);
    parsedConfigs.set(blob, parsed);
  }
  return { repo, trunkCommit, trunkTree, blob, parsed };
}

/**
 * The session's validation on trunk as it is now: a reused or a new run, or null when the
 * project has no valid checks.yml on trunk or the forge runs no sandbox.
 */
export async function validateSession(
  forge: Forge,
  projectId: string,
  trunkPosition: number,
  session: SessionRow,
  trigger: "changes" | "land",
): Promise<RunView | null> {
  const trunk = await trunkChecks(forge, projectId);
  const provider = providerOf(forge);
  if (!trunk.blob || !trunk.parsed?.ok || !provider) return null;
  const config = trunk.parsed.config;
  const change = await readSessionChange(trunk.repo, session);
  if (!change) return null;
  // A session that breaks the config itself is refused for that first (landing/prepare.ts too).
  if (trigger === "land") await refuseInvalidChecks(trunk.repo, change);
  const key = `${session.id}:${change.commit}:${trunk.trunkCommit}:${trunk.blob}`;
  // One run per session commit, trunk commit and config in this process: the changes-time job
  // and a land arriving meanwhile share it instead of running the steps twice.
  const inFlight = flights.get(key);
  if (inFlight) return inFlight;
  const run = (async () => {
    const reuse = await reusableRun(forge.db, session.id, change.commit, trunk.trunkCommit, trunk.blob!);
    if (reuse) return reuse;
    // A background run for a session that landed (or closed) meanwhile would validate trunk
    // with the session already in it: nothing to learn, a sandbox's worth of work wasted.
    if (trigger === "changes" && !(await stillOpen(forge, session.id))) return null;
    return newRun(forge, provider, trunk, config, change, projectId, trunkPosition, session, trigger);
  })();
  flights.set(key, run);
  try {
    return await run;
  } finally {
    flights.delete(key);
  }
}

const flights = new Map<string, Promise<RunView | null>>();

async function stillOpen(forge: Forge, sessionId: string) {
  const row = await forge.db
    .selectFrom("sessions")
    .select("status")
    .where("id", "=", sessionId)
    .executeTakeFirst();
  return row?.status === "open";
}

async function newRun(
  forge: Forge,
  provider: SandboxProvider,
  trunk: Awaited<ReturnType<typeof trunkChecks>> & { blob: string },
  config: ChecksConfig,
  change: SessionChange,
  projectId: string,
  trunkPosition: number,
  session: SessionRow,
  trigger: "changes" | "land",
): Promise<RunView | null> {
  const { id } = await startRun(forge.db, {
    projectId,
    sessionId: session.id,
    sessionCommit: change.commit,
    trunkCommit: trunk.trunkCommit,
    trunkPosition,
    configBlob: trunk.blob,
    trigger,
    provider: provider.name,
    minScore: config.min_score,
  });
  try {
    const steps = await slot(() => runSteps(forge, provider, trunk, config, change, projectId, id));
    const scores = scoreRun(config.steps.map((s, i) => ({ ...s, passed: steps[i]?.status === "passed" })));
    const short = shortfalls(scores, config);
    await finishRun(
      forge.db,
      id,
      { status: short.length ? "failed" : "passed", scores, shortfalls: short },
      steps,
    );
  } catch (err) {
    forge.log.warn({ err, run: id }, "validation run failed to complete");
    // A run that could not complete (the sandbox or the agent in it crashed) is the forge's
    // error to look into, not the contribution's: /admin/errors, kind "agent".
    forge.errors?.capture(occurrenceOf(err, "agent", { run: id, project: projectId, session: session.id }));
    await finishRun(
      forge.db,
      id,
      { status: "error", scores: null, shortfalls: [], error: (err as Error).message },
      [],
    );
  }
  const view = await getRun(forge.db, id);
  if (view) await tellTheSession(forge, session, view);
  if (view)
    await recordProjectEvent(forge.db, projectId, "validation.finished", {
      session: session.id,
      author: session.author_handle,
      run: id,
      status: view.status,
    });
  if (view?.status === "failed" && session.agent_name)
    await noteAgentFailure(forge.db, projectId).catch((err) =>
      forge.log.warn({ err, projectId }, "checking the agents' circuit breaker failed"),
    );
  return view;
}

/**
 * The result goes back to the session's conversation as a status event, so an agent
 * following it (events API, gRPC StreamEvents, the live page) gets the feedback at once.
 */
async function tellTheSession(forge: Forge, session: SessionRow, run: RunView) {
  const failing = run.steps.filter((s) => s.status !== "passed").map((s) => s.name);
  const text =
    run.status === "error"
      ? `Validation could not run: ${run.error ?? "unknown error"}`
      : `Validation ${run.status} (run ${run.iteration}): score ${run.aggregate_score ?? "-"} of ${run.min_score} needed` +
        (failing.length ? `; failing: ${failing.join(", ")}` : "");
  await appendEvents(forge.db, session, [{ kind: "status", status: `validation.${run.status}`, text }]).catch(
    (err) =>
      forge.log.warn({ err, session: session.id }, "recording the validation result as an event failed"),
  );
}

async function runSteps(
  forge: Forge,
  provider: SandboxProvider,
  trunk: Awaited<ReturnType<typeof trunkChecks>>,
  config: ChecksConfig,
  change: SessionChange,
  projectId: string,
  runId: string,
): Promise<StepRecord[]> {
  const merged = await mergedTree(trunk.repo, trunk.trunkTree, change);
  if (merged.conflicts.length)
    throw new Error(`the session conflicts with trunk on ${merged.conflicts.join(", ")}: sync it first`);
  const commands = config.steps.filter((s) => s.run !== undefined);
  const defaults = forge.config.sandbox.limits;
  const result = commands.length
    ? await provider.run({
        source: (dir) =>
          writeTree(
            trunk.repo,
            merged.staged,
            merged.tree,
            dir,
            config.limits?.disk_mb ? config.limits.disk_mb << 20 : defaults.diskBytes,
          ).then(() => {}),
        steps: commands.map((s) => ({ name: s.name, run: s.run!, limits: stepLimits(s, config) })),
        limits: stepLimits({}, config),
        allowNetwork: config.network,
        continueOnFailure: true,
      })
    : null;
  const byName = new Map((result?.steps ?? []).map((s) => [s.name, s]));
  const logKey = async (seq: number, log: string) => {
    const key = `validation/${projectId}/${runId}/${seq}.log`;
    await (await storeForProject(forge, projectId)).put(key, log); // the owner's bucket, if set
    return key;
  };
  return Promise.all(
    config.steps.map(async (step, seq) => {
      if (step.uses === "secret-scan") return secretScanStep(step, change);
      if (step.uses === "dependency-audit") {
        const audit = await auditTree(forge.db, trunk.repo, merged.staged, merged.tree);
        return { ...record(step, audit), log_key: await logKey(seq, audit.log) };
      }
      const r = byName.get(step.name);
      if (!r) return record(step, { status: "error", log: "the step did not run" });
      const report = await applyStepReport(forge.db, projectId, step, r.stdout.text, r.ok && !r.error);
      const tail = report.lines.length ? `${report.lines.join("\n")}\n` : "";
      const log = `${r.stdout.text}${r.stderr.text}${r.error ? `\n${r.error}\n` : ""}${tail}`;
      const key = await logKey(seq, log);
      const status = r.error ? "error" : report.passed ? "passed" : "failed";
      return {
        ...record(step, { status, log: explain(r, log) }),
        ...report.columns,
        exit_code: r.exitCode,
        killed: r.killed ?? (r.pidsLimitHit ? "processes" : null),
        duration_ms: Math.round(r.durationMs),
        cpu_ms: r.cpuMs === null ? null : Math.round(r.cpuMs),
        peak_memory: r.peakMemoryBytes,
        log_key: key,
      };
    }),
  );
}

function stepLimits(step: Partial<Pick<CheckStep, "limits" | "timeout">>, config: ChecksConfig) {
  const l = { ...config.limits, ...step.limits };
  return {
    ...(step.timeout ? { wallMs: step.timeout * 1000 } : {}),
    ...(l.memory_mb ? { memoryBytes: l.memory_mb << 20 } : {}),
    ...(l.cpus ? { cpus: l.cpus } : {}),
    ...(l.processes ? { pids: l.processes } : {}),
    ...(l.disk_mb ? { diskBytes: l.disk_mb << 20 } : {}),
  };
}

function record(step: CheckStep, r: { status: StepRecord["status"]; log: string }): StepRecord {
  return {
    name: step.name,
    category: step.category,
    weight: step.weight,
    status: r.status,
    exit_code: null,
    killed: null,
    duration_ms: 0,
    cpu_ms: null,
    peak_memory: null,
    log_key: null,
    log_excerpt: excerpt(r.log),
  };
}

function secretScanStep(step: CheckStep, change: SessionChange): StepRecord {
  const found = change.secrets.map((f) => `${f.path}:${f.line}: ${f.rule}`);
  return record(step, {
    status: found.length ? "failed" : "passed",
    log: found.length ? `secrets found:\n${found.join("\n")}\n` : "no secrets in the session's added lines\n",
  });
}

/** Why the sandbox ended the step, in front of its log. */
function explain(r: StepResult, log: string) {
  const why =
    r.killed === "timeout"
      ? "killed: the step ran past its time limit\n"
      : r.killed === "memory"
        ? "killed: the step used more memory than its limit\n"
        : r.pidsLimitHit
          ? "the step tried to start more processes than its limit\n"
          : "";
  return `${log}${why}`;
}

/** The end of a log (where failures are), at most 40 lines and 4 KiB. */
export function excerpt(log: string): string {
  const tail = log.split("\n").slice(-41).join("\n");
  return tail.length > 4096 ? tail.slice(-4096) : tail;
}
