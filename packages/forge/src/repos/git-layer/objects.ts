// Git's object formats, in memory: the answers of `cat-file --batch`, tree entries (binary
// form, git's order), commit headers and bodies, and the id of an object (SHA-1 of
// "<type> <size>\0<content>"). Pure functions, tested against git itself.
import { createHash } from "node:crypto";

export type ObjectType = "blob" | "tree" | "commit" | "tag";

export interface GitObject {
  oid: string;
  type: ObjectType;
  data: Buffer;
}

export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
export const isTreeMode = (mode: string) => mode === "40000" || mode === "040000";

/**
 * Reads one `cat-file --batch` answer: "<oid> <type> <size>\n<data>\n" or "<name> missing\n"
 * (also "ambiguous"). Null while the answer is incomplete.
 */
export function parseBatchAnswer(buf: Buffer): { value: GitObject | null; consumed: number } | null {
  const nl = buf.indexOf(10);
  if (nl < 0) return null;
  const header = buf.toString("utf8", 0, nl);
  if (header.endsWith(" missing") || header.endsWith(" ambiguous")) return { value: null, consumed: nl + 1 };
  const m = /^([0-9a-f]{40}) (blob|tree|commit|tag) (\d+)$/.exec(header);
  if (!m) throw new Error(`unexpected cat-file header: ${header.slice(0, 100)}`);
  const size = Number(m[3]);
  const end = nl + 1 + size;
  if (buf.length < end + 1) return null;
  if (buf[end] !== 10) throw new Error("cat-file answer not terminated by a newline");
  return {
    value: { oid: m[1], type: m[2] as ObjectType, data: Buffer.from(buf.subarray(nl + 1, end)) },
    consumed: end + 1,
  };
}

/** The entries of a tree object's content. */
export function parseTree(data: Buffer): TreeEntry[] {
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(32, i);
    const nul = data.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 21 > data.length) throw new Error("malformed tree object");
    out.push({
      mode: data.toString("latin1", i, sp),
      name: data.toString("utf8", sp + 1, nul),
      oid: data.toString("hex", nul + 1, nul + 21),
    });
    i = nul + 21;
  }
  return out;
}

/** Git's order of tree entries: by name bytes, a tree compared as if its name ended in "/". */
export function compareEntries(a: TreeEntry, b: TreeEntry): number {
  const ka = Buffer.from(isTreeMode(a.mode) ? `${a.name}/` : a.name);
  const kb = Buffer.from(isTreeMode(b.mode) ? `${b.name}/` : b.name);
  return Buffer.compare(ka, kb);
}

/** A tree object's content from its entries (sorted here; names must be unique). */
export function formatTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort(compareEntries);
  const parts: Buffer[] = [];
  for (const e of sorted) {
    if (!e.name || e.name.includes("/") || e.name.includes("\0"))
      throw new Error(`bad tree entry name: ${e.name}`);
    const mode = isTreeMode(e.mode) ? "40000" : e.mode;
    parts.push(Buffer.from(`${mode} ${e.name}\0`), Buffer.from(e.oid, "hex"));
  }
  return Buffer.concat(parts);
}

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch (UTC, written with +0000). */
  when: number;
}

/** Git strips angle brackets and newlines from names and emails (its "crud"). */
const clean = (s: string) => s.replace(/[<>\n]/g, "").trim();

/** A commit object's content, byte for byte as `git commit-tree -F -` writes it. */
export function formatCommit(c: {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}): Buffer {
  const sig = (s: Signature) => `${clean(s.name)} <${clean(s.email)}> ${s.when} +0000`;
  const head = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  head.push(`author ${sig(c.author)}`, `committer ${sig(c.committer)}`);
  return Buffer.from(`${head.join("\n")}\n\n${c.message}`);
}

/** Tree id and parents of a commit object's content. */
export function parseCommit(data: Buffer): { tree: string; parents: string[]; message: string } {
  const text = data.toString("utf8");
  const end = text.indexOf("\n\n");
  const head = end < 0 ? text : text.slice(0, end);
  const parents: string[] = [];
  let tree = "";
  for (const line of head.split("\n")) {
    if (line.startsWith("tree ")) tree = line.slice(5);
    else if (line.startsWith("parent ")) parents.push(line.slice(7));
  }
  if (!/^[0-9a-f]{40}$/.test(tree)) throw new Error("malformed commit object");
  return { tree, parents, message: end < 0 ? "" : text.slice(end + 2) };
}

export function objectId(type: ObjectType, data: Buffer): string {
  return createHash("sha1").update(`${type} ${data.length}\0`).update(data).digest("hex");
}
