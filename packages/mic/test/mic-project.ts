// A forge with one user, one empty project and its clone, for mic tests that need nothing more:
// `mic` runs as that user, `dir` is the checkout, `close()` stops the forge and removes the files.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge } from "@micelio/forge/testing/forge";
import { expect } from "vitest";
import { type MicResult, micRunner } from "./run-mic.ts";

/** mic's stdout, once it exited 0 (its stderr is the failure message otherwise). */
export const ok = (r: MicResult) => {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

export async function micProject(user: string, project = "app") {
  const work = mkdtempSync(join(tmpdir(), `mic-${user}-`));
  const forge = await startTestForge();
  const { token } = await userWithToken(forge.url, user);
  await api(forge.url, "POST", "/api/v1/projects", { token, json: { handle: project } });
  const mic = micRunner({ MIC_SERVER: forge.url, MIC_TOKEN: token, MIC_CONFIG_DIR: join(work, "cfg") });
  ok(await mic(work, "clone", `${user}/${project}`, project));
  const close = async () => {
    await forge.close();
    rmSync(work, { recursive: true, force: true });
  };
  return { forge, token, work, dir: join(work, project), mic, close };
}
export type MicProject = Awaited<ReturnType<typeof micProject>>;
