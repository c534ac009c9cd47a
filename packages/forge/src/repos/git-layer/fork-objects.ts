// The repository side of forks, in the git layer: a fork's repository borrows its parent's
// objects through objects/info/alternates (relative paths, so the data directory can move)
// instead of copying them, and starts with the parent's branches, tags and HEAD. The rules that
// keep borrowed objects alive and borrowed storage from becoming borrowed access are in
// social/forks-repo.ts's header and docs/adr/0021-fork-isolation.md. These are rare, whole-
// repository operations (set-up, repack, fsck, a fetch between repositories): each runs git
// once.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { GitError, git, gitText } from "../git.ts";

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
export async function configureBorrowers(root: string) {
  let changed = 0;
  for (const name of readdirSync(root)) {
    if (!name.endsWith(".git") || name.startsWith(".")) continue;
    const dir = join(root, name);
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
 * Makes a repository that borrows from `lenderDir` self-contained: `git repack -a -d` copies
 * the borrowed objects in, then the alternates file goes, once fsck finds everything there.
 * Returns false when it did not borrow from it.
 */
export async function stopBorrowing(dir: string, lenderDir: string): Promise<boolean> {
  if (!readAlternates(dir).includes(siblingObjects(lenderDir))) return false;
  const keep = (await lendsObjects(dir)) ? ["-k"] : [];
  // Without --local, repack copies in every reachable object it finds through alternates.
  await git(["repack", "-a", "-d", "-q", ...keep], { cwd: dir, timeoutMs: TIMEOUT });
  const aside = `${alternatesFile(dir)}.detached`;
  renameSync(alternatesFile(dir), aside);
  try {
    await git(["fsck", "--connectivity-only", "--no-dangling"], { cwd: dir, timeoutMs: TIMEOUT });
  } catch (err) {
    renameSync(aside, alternatesFile(dir)); // still borrowing: the lender must not be removed
    throw err;
  }
  rmSync(aside, { force: true });
  return true;
}

/** Why fetchChecked refused: the objects failed git's fsck. */
export class ObjectsRefused extends Error {}

/**
 * Fetches ref `from` of the repository at `fromDir` into ref `to` of `dir` with fsck on
 * (objects that fail it are refused: ObjectsRefused), forced. On failure `to` is removed.
 */
export async function fetchChecked(dir: string, fromDir: string, from: string, to: string) {
  const fetched = await git(
    [
      "-c",
      "fetch.fsckObjects=true",
      "fetch",
      "--quiet",
      "--no-write-fetch-head",
      "--end-of-options",
      fromDir,
      `+${from}:${to}`,
    ],
    { cwd: dir, timeoutMs: 10 * 60_000 },
  ).then(
    () => null,
    (err: unknown) => err,
  );
  if (!fetched) return;
  // A failed fetch writes no ref; take away a half-written one all the same.
  await deleteRef(dir, to);
  if (fetched instanceof GitError && /fsck|error in (commit|tree|tag|blob)|bad object/i.test(fetched.stderr))
    throw new ObjectsRefused(fetched.message);
  throw fetched;
}

/** Removes a ref, whatever it points at; never fails. */
export async function deleteRef(dir: string, ref: string) {
  await git(["update-ref", "-d", "--end-of-options", ref], { cwd: dir }).catch(() => {});
}
