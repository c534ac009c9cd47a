// `mic clone OWNER/PROJECT [DIR]`: a git working copy of the project's trunk plus mic's
// state, so the session commands know which forge and project they belong to.
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, isJson, parseProject, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { authEnv, git, showProgress } from "../git.ts";
import { print } from "../output.ts";
import { saveState } from "../workspace.ts";

export interface Cloned {
  dir: string;
  server: string;
  owner: string;
  project: string;
  url: string;
  head_position: number;
}

/** The absolute path of `dir`, which must not exist or be empty (exit 1 otherwise). */
export function requireEmptyDir(dir: string): string {
  const path = resolve(dir);
  if (existsSync(path) && readdirSync(path).length > 0)
    throw new CliError(`${path} already exists and is not empty`, EXIT.usage);
  return path;
}

/** Clones the project into `dirArg` (default: its name) and records mic's state there. */
export async function cloneProject(
  program: Command,
  target: { owner: string; project: string },
  dirArg: string | undefined,
): Promise<Cloned> {
  const conn = connection(program);
  const project = await request<{ head_position: number }>(conn, "GET", projectPath(target));
  const dir = requireEmptyDir(dirArg ?? target.project);
  const url = `${conn.server}/${target.owner}/${target.project}.git`;
  const progress = showProgress(isJson(program));
  await git(["clone", progress ? "--progress" : "--quiet", "--end-of-options", url, dir], {
    cwd: process.cwd(),
    env: authEnv(conn.server, conn.handle, conn.token),
    progress,
  });
  saveState(resolve(dir, ".git"), { server: conn.server, owner: target.owner, project: target.project });
  return { dir, server: conn.server, ...target, url, head_position: project.head_position };
}

export function registerClone(program: Command) {
  program
    .command("clone")
    .description("clone a project into a new directory, ready for sessions")
    .argument("<owner/project>", "the project, e.g. alice/website")
    .argument("[dir]", "where to put it (default: the project's name)")
    .action(async (spec: string, dirArg: string | undefined) => {
      const cloned = await cloneProject(program, parseProject(spec), dirArg);
      print(
        program,
        cloned,
        `Cloned ${cloned.owner}/${cloned.project} into ${cloned.dir}${cloned.head_position === 0 ? " (empty project)" : ""}`,
      );
    });
}
