// git's packed-refs file, read as git reads it: parsed once per version of the file (inode,
// size and modification time, checked on every read, as git's stat_validity does) and always
// read after the loose refs it may stand behind. `git pack-refs` (repository upkeep) writes the
// new packed-refs before it deletes the loose files it packed, so a reader that looked at the
// loose refs first and at packed-refs second finds every ref in one or the other; the other
// order can miss a ref for a moment (git's refs/files-backend.c takes the same care).
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";

export interface PackedRefs {
  refs: Map<string, string>;
  /** A packed ref's peeled id, or null when the file says it is not a tag (fully-peeled files). */
  peeled: Map<string, string | null>;
  /** False when some line is not what git writes (a bad id or name, a stray peel line). */
  clean: boolean;
}

const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const EMPTY: PackedRefs = { refs: new Map(), peeled: new Map(), clean: true };

/** Whether git's check_refname_format would take a full ref name. */
export function goodRefName(name: string): boolean {
  if (name === "@" || name.endsWith(".") || /\.\.|@\{|[ ~^:?*[\\]/.test(name)) return false;
  for (let i = 0; i < name.length; i++)
    if (name.charCodeAt(i) < 0x20 || name.charCodeAt(i) === 0x7f) return false;
  return name.split("/").every((c) => c.length > 0 && !c.startsWith(".") && !c.endsWith(".lock"));
}

/** The refs and peeled ids of a packed-refs file's text; unreadable lines are skipped. */
export function parsePackedRefs(text: string): PackedRefs {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string | null>();
  const lines = text.split("\n");
  const fully = /^# pack-refs with:.* fully-peeled( |$)/.test(lines[0] ?? "");
  let clean = true;
  let last: string | undefined;
  for (const line of lines) {
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("^")) {
      if (last && OID.test(line.slice(1))) peeled.set(last, line.slice(1));
      else clean = false;
      continue;
    }
    const [oid, name, extra] = line.split(" ");
    if (!oid || !OID.test(oid) || !name || extra !== undefined || !goodRefName(name)) {
      clean = false;
      last = undefined;
      continue;
    }
    refs.set(name, oid);
    if (fully) peeled.set(name, null);
    last = name;
  }
  return { refs, peeled, clean };
}

const KEPT = 512;
const kept = new Map<string, { key: string; packed: PackedRefs }>();

/** The repository's packed-refs as the file is now (empty when there is none). */
export async function readPackedRefs(dir: string): Promise<PackedRefs> {
  const path = join(dir, "packed-refs");
  for (let attempt = 0; ; attempt++) {
    const st = await stat(path).catch(() => null);
    if (!st) return EMPTY;
    const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const hit = kept.get(path);
    if (hit?.key === key) {
      kept.delete(path);
      kept.set(path, hit); // most recently used last
      return hit.packed;
    }
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      // Replaced or removed between the stat and the read: look again.
      if ((err as NodeJS.ErrnoException).code === "ENOENT" && attempt < 3) continue;
      throw err;
    }
    // Kept under the version the stat saw: if a newer one was read, the next stat differs.
    const packed = parsePackedRefs(text);
    kept.delete(path);
    kept.set(path, { key, packed });
    if (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
    return packed;
  }
}
