// `mic clone OWNER/PROJECT|URL [DIR]`: a git working copy of the project's trunk plus mic's
// state, so the session commands know which forge and project they belong to.
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, isJson, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { authEnv, git, showProgress } from "../git.ts";
import { print } from "../output.ts";
import { normalizeServer, parseCloneTarget } from "../server-url.ts";
import { naming } from "../subject.ts";
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
  target: { owner: string; project: string; server?: string },
  dirArg: string | undefined,
): Promise<Cloned> {
  const given = program.opts().server as string | undefined;
  if (target.server && given && normalizeServer(given) !== target.server)
    throw new CliError(
      `the URL names ${target.server} but --server says ${normalizeServer(given)}`,
      EXIT.usage,
    );
  const conn = connection(program, undefined, target.server);
  const project = await naming({ conn, project: target }, () =>
    request<{ head_position: number }>(conn, "GET", projectPath(target)),
  );
  const dir = requireEmptyDir(dirArg ?? target.project);
  const url = `${conn.server}/${target.owner}/${target.project}.git`;
  const progress = showProgress(isJson(program));
  await git(["clone", progress ? "--progress" : "--quiet", "--end-of-options", url, dir], {
    cwd: process.cwd(),
    env: authEnv(conn.server, conn.handle, conn.token),
    progress,
  });
  saveState(resolve(dir, ".git"), { server: conn.server, owner: target.owner, project: target.project });
  const { owner, project: name } = target;
  return { dir, server: conn.server, owner, project: name, url, head_position: project.head_position };
}

export function registerClone(program: Command) {
  program
    .command("clone")
    .description("clone a project into a new directory, ready for sessions")
    .argument("<project>", "OWNER/PROJECT, or the project's web or git URL (its server is then the forge)")
    .argument("[dir]", "where to put it (default: the project's name)")
    .action(async (spec: string, dirArg: string | undefined) => {
      const cloned = await cloneProject(program, parseCloneTarget(spec), dirArg);
      print(
        program,
        cloned,
        `Cloned ${cloned.owner}/${cloned.project} into ${cloned.dir}${cloned.head_position === 0 ? " (empty project)" : ""}`,
      );
    });
}
