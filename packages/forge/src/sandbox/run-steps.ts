// The part every provider shares: make the workspace, run the steps in order with their
// merged limits, skip the rest after a failure, and tear down whatever happens.
import { CappedCapture } from "./capture.ts";
import type { SandboxLimits, SandboxRunResult, SandboxRunSpec, SandboxStep, StepResult } from "./types.ts";
import { createWorkspace, type Workspace } from "./workspace.ts";

export interface StepContext {
  ws: Workspace;
  step: SandboxStep;
  limits: SandboxLimits;
  env: Record<string, string>;
  allowNetwork: boolean;
  stdout: CappedCapture;
  stderr: CappedCapture;
  signal?: AbortSignal;
}

export function emptyOutput() {
  return { text: "", bytes: 0, truncated: false };
}

export function notRun(name: string, skipped: boolean, error?: string): StepResult {
  return {
    name,
    exitCode: null,
    signal: null,
    killed: null,
    pidsLimitHit: false,
    ok: false,
    skipped,
    durationMs: 0,
    cpuMs: null,
    peakMemoryBytes: null,
    stdout: emptyOutput(),
    stderr: emptyOutput(),
    ...(error ? { error } : {}),
  };
}

export async function runSteps(
  provider: string,
  spec: SandboxRunSpec,
  defaults: SandboxLimits,
  baseDir: string,
  makeCaptures: (step: string, cap: number) => { stdout: CappedCapture; stderr: CappedCapture },
  runStep: (ctx: StepContext) => Promise<StepResult>,
): Promise<SandboxRunResult> {
  const started = performance.now();
  const runLimits = { ...defaults, ...spec.limits };
  const steps: StepResult[] = [];
  let ws: Workspace | undefined;
  let setupFailed = false;
  try {
    ws = await createWorkspace(baseDir, spec.source, runLimits.diskBytes).catch((e: Error) => {
      setupFailed = true;
      steps.push(...spec.steps.map((s) => notRun(s.name, false, `workspace: ${e.message}`)));
      return undefined;
    });
    let failed = false;
    for (const step of ws ? spec.steps : []) {
      if ((failed && !spec.continueOnFailure) || spec.signal?.aborted) {
        steps.push(notRun(step.name, true));
        continue;
      }
      const limits = { ...runLimits, ...step.limits };
      const caps = makeCaptures(step.name, limits.outputBytes);
      const result = await runStep({
        ws: ws as Workspace,
        step,
        limits,
        env: { ...spec.env, ...step.env },
        allowNetwork: spec.allowNetwork === true,
        ...caps,
        signal: spec.signal,
      }).catch((e: Error) => ({
        ...notRun(step.name, false, e.message),
        stdout: caps.stdout.result(),
        stderr: caps.stderr.result(),
      }));
      steps.push(result);
      if (!result.ok) failed = true;
    }
  } finally {
    await ws?.remove();
  }
  return {
    provider,
    ok: !setupFailed && steps.every((s) => s.ok),
    steps,
    durationMs: performance.now() - started,
  };
}

/** Per step, captures of stdout and stderr (capped) that also stream to the spec's sink. */
export const streamCaptures = (spec: SandboxRunSpec) => (step: string, cap: number) => ({
  stdout: new CappedCapture(cap, spec.onOutput && ((b: Buffer) => spec.onOutput?.(step, "stdout", b))),
  stderr: new CappedCapture(cap, spec.onOutput && ((b: Buffer) => spec.onOutput?.(step, "stderr", b))),
});
