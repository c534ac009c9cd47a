// The repository side of forks. A fork's repository borrows its parent's objects through
// objects/info/alternates (relative paths, so the data directory can move) instead of
// copying them; it starts with the parent's branches, tags and HEAD.
//
// Two rules keep borrowed objects alive:
// - A repository others borrow from never drops unreachable objects: it is marked with
//   gc.pruneExpire=never (honoured by a manual `git gc`), and upkeep (repos/maintain.ts,
//   through repackArgs) repacks it with --keep-unreachable. A branch deleted or rewritten
//   in the parent therefore cannot take away objects a fork still reaches.
// - Before a repository is removed, every fork that borrows from it is made self-contained
//   (`git repack -a -d` copies the borrowed objects in, then the alternates file goes).
// A fork's alternates list its parent's own alternates first, then the parent, so chains of
// forks never nest alternates deeper than git's limit.
// Borrowing storage is not borrowing access: a fork's config sets core.alternateRefsCommand
// to a command that prints nothing, so receive-pack never advertises the parent's ref tips
// as `.have` lines, and the pre-receive hook (repos/hooks/borrowed-objects.ts) refuses pushes
// that reach parent objects they did not bring (docs/adr/0021-fork-isolation.md).
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { git, gitText } from "../repos/git.ts";
import type { RepoStore } from "../repos/repo-store.ts";

const TIMEOUT = 60 * 60_000;
const alternatesFile = (dir: string) => join(dir, "objects", "info", "alternates");
/** How a sibling repository's object directory is named from another's objects/ directory. */
const siblingObjects = (dir: string) => `../../${basename(dir)}/objects`;

export function readAlternates(dir: string): string[] {
  const file = alternatesFile(dir);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

async function lendsObjects(dir: string) {
  const v = await gitText(["config", "--get", "gc.pruneExpire"], { cwd: dir, okCodes: [1] });
  return v.trim() === "never";
}

/**
 * Extra `git repack -a -d` arguments for a repository that shares objects: --local when it
 * borrows (pack only its own objects; no bitmap then, as bitmaps need every object), and
 * --keep-unreachable when others borrow from it.
 */
export async function repackArgs(dir: string): Promise<{ args: string[]; bitmaps: boolean }> {
  const borrows = readAlternates(dir).length > 0;
  const args = [...(borrows ? ["-l"] : []), ...((await lendsObjects(dir)) ? ["-k"] : [])];
  return { args, bitmaps: !borrows };
}

/**
 * A borrowing repository's own settings: its alternates' refs are never advertised (see the
 * header), and every push is kept as a pack, so that the pre-receive hook sees exactly what
 * was sent (unpack-objects would drop sent objects the parent already has).
 */
const BORROWER_CONFIG: Array<[string, string]> = [
  ["core.alternateRefsCommand", "true"],
  ["receive.unpackLimit", "1"],
];

async function configureBorrower(dir: string) {
  for (const [k, v] of BORROWER_CONFIG) await git(["config", "--", k, v], { cwd: dir });
}

/**
 * At start-up: every repository that borrows objects gets BORROWER_CONFIG (forks made
 * before forks carried the setting, or detached with their alternates left behind).
 */
export async function configureBorrowers(repos: RepoStore) {
  let changed = 0;
  for (const name of readdirSync(repos.root)) {
    if (!name.endsWith(".git") || name.startsWith(".")) continue;
    const dir = join(repos.root, name);
    if (readAlternates(dir).length === 0) continue;
    // Reading the file first spares a git process per fork on every start.
    const config = readFileSync(join(dir, "config"), "utf8");
    if (/alternateRefsCommand\s*=\s*true\s*$/im.test(config) && /unpackLimit\s*=\s*1\s*$/im.test(config))
      continue;
    await configureBorrower(dir);
    changed++;
  }
  return changed;
}

/** Fills the new, empty fork repository from its parent without copying objects. */
export async function populateFork(parentDir: string, forkDir: string) {
  const lines = [...readAlternates(parentDir), siblingObjects(parentDir)];
  await configureBorrower(forkDir);
  writeFileSync(alternatesFile(forkDir), `${[...new Set(lines)].join("\n")}\n`);
  await git(["config", "--", "gc.pruneExpire", "never"], { cwd: parentDir });
  const refs = await gitText(
    ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/tags/"],
    { cwd: parentDir },
  );
  const input = refs
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [sha, ref] = l.split(" ");
      return `create ${ref} ${sha}\n`;
    })
    .join("");
  if (input) await git(["update-ref", "--stdin"], { cwd: forkDir, input });
  const head = (await gitText(["symbolic-ref", "-q", "HEAD"], { cwd: parentDir, okCodes: [1] })).trim();
  if (head.startsWith("refs/heads/")) await git(["symbolic-ref", "HEAD", head], { cwd: forkDir });
}

/**
 * Locks the project's row (a fork being created waits, or has committed and is seen) and
 * returns every project forked from it, directly or through other forks.
 */
export async function lockForksOf(db: Db, projectId: string): Promise<string[]> {
  await sql`SELECT id FROM projects WHERE id = ${projectId} FOR UPDATE`.execute(db);
  const rows = await sql<{ id: string }>`
    WITH RECURSIVE d(id) AS (
      SELECT id FROM projects WHERE parent_id = ${projectId}
      UNION SELECT p.id FROM projects p JOIN d ON p.parent_id = d.id
    ) SELECT id FROM d`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Makes every listed fork that borrows from the project's repository self-contained. */
export async function detachForks(repos: RepoStore, projectId: string, forkIds: string[]) {
  const lent = siblingObjects(repos.dir(projectId));
  for (const id of forkIds) {
    if (!repos.exists(id)) continue;
    const dir = repos.dir(id);
    if (!readAlternates(dir).includes(lent)) continue;
    const keep = (await lendsObjects(dir)) ? ["-k"] : [];
    // Without --local, repack copies in every reachable object it finds through alternates.
    await git(["repack", "-a", "-d", "-q", ...keep], { cwd: dir, timeoutMs: TIMEOUT });
    const aside = `${alternatesFile(dir)}.detached`;
    renameSync(alternatesFile(dir), aside);
    try {
      await git(["fsck", "--connectivity-only", "--no-dangling"], { cwd: dir, timeoutMs: TIMEOUT });
    } catch (err) {
      renameSync(aside, alternatesFile(dir)); // still borrowing: the parent must not be removed
      throw err;
    }
    rmSync(aside, { force: true });
  }
}
