// Touched-path sets and the conflict rule between a session and a landing.
//
// Touched paths are git tree entries (files, symlinks, submodules) relative to the repository
// root, as a diff reports them. Two changes CONFLICT when some path touched by one equals, or
// is an ancestor of, or lies under, some path touched by the other:
//   "a/b.ts" vs "a/b.ts"  conflict (same entry)
//   "a/b.ts" vs "a"       conflict (the file "a" was deleted/replaced, e.g. by a directory "a/")
//   "a"      vs "a/x.ts"  conflict (same, from the other side)
//   "a/b.ts" vs "a/c.ts"  no conflict (siblings only share a parent directory)
// A directory replacing a file shows up in a diff as the file's deletion plus the new entries
// under it, so the rule catches it through the deleted file's path.
//
// To decide this by set intersection (so Bloom filters can answer it), the two sides store
// and probe different strings; directories carry a trailing slash so "a" (an entry) and "a/"
// (a directory) never collide:
//   stored by a landing, expandPaths:  each path p and every ancestor directory "d/" of p
//   probed by a session, conflictProbes: each path p, "p/" (something under p was touched),
//                                        and every ancestor of p without slash ("a" for "a/b")
// probes(S) ∩ expandPaths(L) ≠ ∅  ⇔  S and L conflict, and the relation is symmetric.
// A path given with a trailing slash names that whole subtree ("a/" is treated as "a").

/**
 * Normalizes a touched path: drops leading/trailing and repeated slashes. Throws on an empty
 * path or "." / ".." segments (git never produces them).
 */
export function normalizePath(path: string): string {
  const parts = path.split("/").filter((s) => s !== "");
  if (parts.length === 0) throw new TypeError(`empty touched path: ${JSON.stringify(path)}`);
  for (const s of parts) {
    if (s === "." || s === "..")
      throw new TypeError(`relative segment in touched path: ${JSON.stringify(path)}`);
  }
  return parts.join("/");
}

/** Ancestor directories of a normalized path, shallowest first, without trailing slash. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) out.push(path.slice(0, i));
  return out;
}

/**
 * What a landing stores: every touched path plus all its parent directories with a trailing
 * slash. expandPaths(["a/b/c.ts"]) = {"a/b/c.ts", "a/b/", "a/"}.
 */
export function expandPaths(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const raw of paths) {
    const p = normalizePath(raw);
    out.add(p);
    for (const dir of ancestors(p)) out.add(`${dir}/`);
  }
  return out;
}

/**
 * What a session probes a landing's set with: each path, the path as a directory ("p/"), and
 * each ancestor as a plain entry. conflictProbes(["a/b.ts"]) = {"a/b.ts", "a/b.ts/", "a"}.
 */
export function conflictProbes(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const raw of paths) {
    const p = normalizePath(raw);
    out.add(p);
    out.add(`${p}/`);
    for (const dir of ancestors(p)) out.add(dir);
  }
  return out;
}

/**
 * Exact conflict check: the paths of `a` (normalized, sorted, unique) that equal, contain or
 * lie under some path of `b`. Empty means no conflict. pathsConflict(a, b) is empty exactly
 * when pathsConflict(b, a) is.
 */
export function pathsConflict(a: readonly string[], b: readonly string[]): string[] {
  const stored = expandPaths(b);
  const out = new Set<string>();
  for (const raw of a) {
    const p = normalizePath(raw);
    if (out.has(p)) continue;
    if (stored.has(p) || stored.has(`${p}/`) || ancestors(p).some((d) => stored.has(d))) out.add(p);
  }
  return [...out].sort();
}
