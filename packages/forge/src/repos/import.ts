// Import: fill a new project's empty repository with the full history of an existing git
// repository, given as a git bundle (`git bundle create x.bundle --all`) or, for
// administrators, a path on the server. Branches and tags come over; HEAD follows the
// source's default branch.
import { existsSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { hasControlCharacters } from "@micelio/core";
import { conflict, invalid } from "../errors/app-error.ts";
import { git, gitText } from "./git.ts";

export type ImportSource = { kind: "path"; path: string } | { kind: "bundle"; file: string };

const REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
const TIMEOUT = 60 * 60_000;

export async function isEmptyRepo(dir: string): Promise<boolean> {
  return (await gitText(["for-each-ref", "--count=1"], { cwd: dir })).trim() === "";
}

async function checkSource(dir: string, source: ImportSource): Promise<{ url: string; head?: string }> {
  if (source.kind === "path") {
    const p = source.path;
    if (!isAbsolute(p) || hasControlCharacters(p) || !existsSync(p) || !statSync(p).isDirectory()) {
      throw invalid("path must be an absolute path to a git repository on the server");
    }
    try {
      await git(["rev-parse", "--git-dir"], { cwd: p });
    } catch {
      throw invalid("path is not a git repository");
    }
    const head =
      (await gitText(["symbolic-ref", "-q", "HEAD"], { cwd: p, okCodes: [1] })).trim() || undefined;
    return { url: p, head };
  }
  try {
    await git(["bundle", "verify", "-q", "--", source.file], { cwd: dir });
  } catch (err) {
    throw invalid(
      `not a usable git bundle: ${(err as Error).message.replace(/^git bundle failed \(\d+\): /, "")}`,
    );
  }
  const heads = (await gitText(["bundle", "list-heads", "--", source.file], { cwd: dir })).trim().split("\n");
  const headSha = heads.find((l) => l.endsWith(" HEAD"))?.split(" ")[0];
  const branch = heads.find((l) => headSha && l.startsWith(`${headSha} refs/heads/`))?.split(" ")[1];
  return { url: source.file, head: branch };
}

/** Imports into an empty bare repository; returns the number of branches and tags. */
export async function importRepository(dir: string, source: ImportSource) {
  if (!(await isEmptyRepo(dir)))
    throw conflict("The project's repository is not empty; import into a new project");
  const { url, head } = await checkSource(dir, source);
  await git(["fetch", "--quiet", "--no-write-fetch-head", "--end-of-options", url, ...REFSPECS], {
    cwd: dir,
    timeoutMs: TIMEOUT,
  });
  const refs = (await gitText(["for-each-ref", "--format=%(refname)"], { cwd: dir }))
    .trim()
    .split("\n")
    .filter(Boolean);
  const branches = refs.filter((r) => r.startsWith("refs/heads/"));
  if (branches.length === 0) throw invalid("The source has no branches to import");
  const preferred =
    [head, "refs/heads/main", "refs/heads/master"].find((r) => r && branches.includes(r)) ?? branches[0];
  await git(["symbolic-ref", "HEAD", preferred], { cwd: dir });
  return {
    branches: branches.length,
    tags: refs.length - branches.length,
    default_branch: preferred.slice(11),
  };
}
