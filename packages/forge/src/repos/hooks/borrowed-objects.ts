// The borrowed-objects gate for pushes to a fork. A fork reads its parent's objects through
// objects/info/alternates, so git alone accepts a pushed commit whose parent is any object of
// the parent repository, even one the fork's owner was never shown (the parent's private
// history, a commit it force-pushed away), and resolves a thin pack's deltas against any of
// them (a new blob copying a private one). Here, in receive-pack's pre-receive hook:
// - every object the new tips reach that the fork's own refs do not must have been sent,
//   i.e. be in the quarantine's pack (forks keep every push as a pack: receive.unpackLimit=1,
//   social/forks-repo.ts);
// - objects index-pack appended to complete a thin pack (delta bases placed after the deltas
//   that use them) were not sent: each must be reachable from the fork's own refs.
// Honest clients pass: they send everything the advertised refs (the fork's own) do not
// reach, and take thin-pack bases from the trees of commits those refs reach.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gitStream, gitText } from "../git.ts";

const TIMEOUT = 10 * 60_000;
const ID = /^[0-9a-f]{40,64}$/;

export interface Quarantine {
  GIT_QUARANTINE_PATH: string;
  GIT_OBJECT_DIRECTORY: string;
  GIT_ALTERNATE_OBJECT_DIRECTORIES: string;
}

/** Whether the repository at `dir` (a bare repository) borrows objects from another. */
export const borrowsObjects = (dir: string) => existsSync(join(dir, "objects", "info", "alternates"));

/** Objects in the quarantine's packs, and those index-pack appended as thin-pack bases. */
async function quarantinePacks(dir: string, quarantine: string) {
  const inPack = new Set<string>();
  const appended = new Set<string>();
  const packDir = join(quarantine, "pack");
  if (!existsSync(packDir)) return { inPack, appended };
  for (const idx of readdirSync(packDir).filter((n) => n.endsWith(".idx"))) {
    const out = await gitText(["verify-pack", "-v", join(packDir, idx)], { cwd: dir, timeoutMs: TIMEOUT });
    const offset = new Map<string, number>();
    const deltas: Array<[number, string]> = [];
    for (const line of out.split("\n")) {
      const f = line.split(/\s+/);
      if (!ID.test(f[0] ?? "")) continue;
      inPack.add(f[0]);
      offset.set(f[0], Number(f[4]));
      if (f[6] && ID.test(f[6])) deltas.push([Number(f[4]), f[6]]);
    }
    for (const [at, base] of deltas) if ((offset.get(base) ?? Infinity) > at) appended.add(base);
  }
  return { inPack, appended };
}

/** Which of `wanted` the fork's own refs reach (a walk of its history; stops once all are found). */
async function reachedByRefs(dir: string, env: Quarantine, wanted: Set<string>) {
  const left = new Set(wanted);
  let rest = "";
  await gitStream(
    ["rev-list", "--objects", "--all"],
    { cwd: dir, env: { ...env }, timeoutMs: TIMEOUT },
    (d) => {
      const lines = (rest + d.toString("latin1")).split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) left.delete(l.split(" ")[0]);
      return left.size > 0;
    },
  );
  if (rest) left.delete(rest.split(" ")[0]);
  return [...wanted].filter((id) => !left.has(id));
}

/**
 * Objects the new `tips` would make reachable from the fork's refs without the push having
 * sent them (at most `limit`). Empty for a repository that borrows nothing.
 */
export async function unsentObjects(dir: string, tips: string[], env: Quarantine, limit = 10) {
  if (tips.length === 0 || !borrowsObjects(dir)) return [];
  // `--all` is the fork's own refs only; the parent's refs (alternate refs) do not count.
  const listed = await gitText(["rev-list", "--objects", "--boundary", "--stdin", "--not", "--all"], {
    cwd: dir,
    env: { ...env },
    input: `${tips.join("\n")}\n`,
    timeoutMs: TIMEOUT,
  });
  const reached: string[] = [];
  const boundary: string[] = [];
  for (const line of listed.split("\n")) {
    const id = line.split(" ")[0];
    if (id.startsWith("-")) boundary.push(id.slice(1));
    else if (ID.test(id)) reached.push(id);
  }
  const { inPack, appended } = env.GIT_QUARANTINE_PATH
    ? await quarantinePacks(dir, env.GIT_QUARANTINE_PATH)
    : { inPack: new Set<string>(), appended: new Set<string>() };
  const unsent = reached.filter((id) => !inPack.has(id) || appended.has(id));
  if (unsent.length || appended.size === 0) return unsent.slice(0, limit);
  // Thin-pack bases: usually in the trees of the commits the push builds on; else walk.
  const edges = boundary.slice(0, 20);
  const near = new Set<string>(boundary);
  if (edges.length) {
    const trees = await gitText(["rev-parse", ...edges.map((c) => `${c}^{tree}`)], {
      cwd: dir,
      env: { ...env },
    });
    for (const t of trees.split("\n")) near.add(t.trim());
  }
  for (const commit of edges) {
    const tree = await gitText(["ls-tree", "-r", "-t", "--full-tree", commit], { cwd: dir, env: { ...env } });
    for (const line of tree.split("\n")) near.add(line.split(/\s+/)[2] ?? "");
  }
  const far = new Set([...appended].filter((id) => !near.has(id)));
  if (far.size === 0) return [];
  const found = new Set(await reachedByRefs(dir, env, far));
  return [...far].filter((id) => !found.has(id)).slice(0, limit);
}
