// Protocol v2's ls-refs (gitprotocol-v2, "ls-refs") answered in process, so that a clone or fetch
// starts one git process fewer. The answer is what git 2.39's upload-pack gives (ls-refs.c):
// HEAD first (when it resolves, or is an unborn symref and both `unborn` and `symrefs` were
// asked), then every ref under refs/ in byte order, each kept only if it starts with one of the
// `ref-prefix` arguments (all when none), with ` symref-target:` and ` peeled:` attributes when
// asked; then a flush. Refs are read fresh from git's files on every request (loose refs under
// the prefixes' directories, packed-refs parsed once per version of the file), never from a
// cache that another process's write could leave stale.
//
// Whatever this does not reproduce exactly goes to upload-pack instead (lsRefs gives null):
// capabilities or arguments other than git's usual ones, configuration that changes the answer
// (hidden refs, lsrefs.unborn, another object format, includes), ref names git would refuse,
// broken or dangling refs. One difference stays: git leaves out refs whose object is missing,
// which this does not check (such a repository is corrupt, and the fetch fails either way).
// `ls-refs.test.ts` compares the two answers on random repositories and requests.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Pkt, PktError, pktLine } from "./bundles/pkt-line.ts";
import { usualArgs } from "./v2-request.ts";

export interface LsRefsArgs {
  symrefs: boolean;
  peel: boolean;
  unborn: boolean;
  prefixes: string[];
}

/** Finds the object a tag names, or null when `oid` is not a tag (or cannot be read). */
export type PeelTag = (oid: string) => Promise<string | null>;

const OID = /^[0-9a-f]{40}$/;
/** Repository configuration that changes ls-refs' answer. */
const CHANGES_ANSWER = /hiderefs|lsrefs|objectformat|refstorage|namespace|\[include/i;
/** Git's SYMREF_MAXDEPTH. */
const MAX_DEPTH = 5;

/** An ls-refs request's arguments (the packets after its command line), or null to leave it to git. */
export function lsRefsArgs(pkts: Pkt[]): LsRefsArgs | null {
  const lines = usualArgs(pkts);
  if (!lines) return null;
  const args: LsRefsArgs = { symrefs: false, peel: false, unborn: false, prefixes: [] };
  for (const line of lines) {
    if (line === "symrefs" || line === "peel" || line === "unborn") args[line] = true;
    else if (line.startsWith("ref-prefix ")) args.prefixes.push(line.slice(11));
    else return null;
  }
  return args;
}

/** Whether git's check_refname_format would take a full ref name. */
export function goodRefName(name: string): boolean {
  if (name === "@" || name.endsWith(".") || /\.\.|@\{|[ ~^:?*[\\]/.test(name)) return false;
  for (let i = 0; i < name.length; i++)
    if (name.charCodeAt(i) < 0x20 || name.charCodeAt(i) === 0x7f) return false;
  return name.split("/").every((c) => c.length > 0 && !c.startsWith(".") && !c.endsWith(".lock"));
}

class GiveUp extends Error {}

interface Packed {
  refs: Map<string, string>;
  /** A packed ref's peeled id, or null when packed-refs says it is not a tag (fully-peeled files only). */
  peeled: Map<string, string | null>;
}

const packedFiles = new Map<string, { key: string; packed: Packed }>();
const KEPT_PACKED = 64;

/** packed-refs parsed, kept while the file (inode, size, mtime) stays the same. */
async function readPacked(dir: string): Promise<Packed> {
  const path = join(dir, "packed-refs");
  const st = await stat(path).catch(() => null);
  if (!st) return { refs: new Map(), peeled: new Map() };
  const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const kept = packedFiles.get(path);
  if (kept?.key === key) return kept.packed;
  const content = await readFile(path, "utf8");
  const refs = new Map<string, string>();
  const peeled = new Map<string, string | null>();
  const lines = content.split("\n");
  const fully = /^# pack-refs with:.* fully-peeled( |$)/.test(lines[0] ?? "");
  let last: string | undefined;
  for (const line of lines) {
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("^")) {
      if (!last || !OID.test(line.slice(1))) throw new GiveUp();
      peeled.set(last, line.slice(1));
      continue;
    }
    const [oid, name, extra] = line.split(" ");
    if (!oid || !OID.test(oid) || !name || extra !== undefined || !goodRefName(name)) throw new GiveUp();
    refs.set(name, oid);
    if (fully) peeled.set(name, null);
    last = name;
  }
  const packed = { refs, peeled };
  if (packedFiles.size >= KEPT_PACKED) packedFiles.delete(packedFiles.keys().next().value as string);
  packedFiles.set(path, { key, packed });
  return packed;
}

type Loose = { oid: string } | { ref: string } | undefined;

/** A loose ref file's content, undefined when there is none. */
async function readLoose(dir: string, name: string): Promise<Loose> {
  let content: string;
  try {
    content = await readFile(join(dir, name), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new GiveUp();
  }
  const sym = /^ref:\s*(\S+)\s*$/.exec(content);
  if (sym) {
    if (!goodRefName(sym[1]!) && sym[1] !== "HEAD") throw new GiveUp();
    return { ref: sym[1]! };
  }
  const oid = /^([0-9a-f]{40})(\s[\s\S]*)?$/.exec(content)?.[1];
  if (!oid || /^0+$/.test(oid)) throw new GiveUp();
  return { oid };
}

/** What `name` resolves to: its id (null when a symref's target does not exist) and final name. */
async function resolve(
  dir: string,
  packed: Packed,
  name: string,
): Promise<{ oid: string | null; target: string; symbolic: boolean }> {
  let at = name;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const loose = await readLoose(dir, at);
    if (loose && "ref" in loose) {
      at = loose.ref;
      continue;
    }
    const oid = loose?.oid ?? packed.refs.get(at) ?? null;
    return { oid, target: at, symbolic: at !== name };
  }
  throw new GiveUp();
}

/** The loose ref names under `root` ("refs/heads/"), skipping what git's ref walk skips. */
async function looseNames(dir: string, root: string, out: string[]) {
  let items: import("node:fs").Dirent[];
  try {
    items = await readdir(join(dir, root), { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw new GiveUp();
  }
  for (const it of items) {
    if (it.name.startsWith(".") || it.name.endsWith(".lock")) continue;
    const name = `${root}${it.name}`;
    if (it.isDirectory()) await looseNames(dir, `${name}/`, out);
    else if (it.isFile()) out.push(name);
    else throw new GiveUp();
  }
}

/** The directories to walk for `prefixes` (none: all of refs/), none inside another. */
function walkRoots(prefixes: string[]): string[] {
  const roots = new Set<string>();
  for (const p of prefixes.length > 0 ? prefixes : [""]) {
    if (p.startsWith("refs/")) roots.add(p.slice(0, p.lastIndexOf("/") + 1));
    else if ("refs/".startsWith(p)) roots.add("refs/");
  }
  const sorted = [...roots].sort();
  return sorted.filter((r, i) => !sorted.slice(0, i).some((s) => r.startsWith(s)));
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function answer(dir: string, args: LsRefsArgs, peelTag: PeelTag): Promise<Buffer> {
  const config = await readFile(join(dir, "config"), "utf8").catch(() => "");
  if (CHANGES_ANSWER.test(config)) throw new GiveUp();
  const packed = await readPacked(dir);
  const matches = (name: string) =>
    args.prefixes.length === 0 || args.prefixes.some((p) => name.startsWith(p));
  const peel = async (name: string, oid: string) => {
    const known = packed.refs.get(name) === oid ? packed.peeled.get(name) : undefined;
    return known !== undefined ? known : peelTag(oid);
  };
  const line = async (name: string, oid: string | null, target: string | null) => {
    let s = `${oid ?? "unborn"} ${name}`;
    if (args.symrefs && target) s += ` symref-target:${target}`;
    const peeled = args.peel && oid ? await peel(target ?? name, oid) : null;
    if (peeled) s += ` peeled:${peeled}`;
    return pktLine(`${s}\n`);
  };
  const out: Buffer[] = [];

  if (matches("HEAD")) {
    const head = await resolve(dir, packed, "HEAD");
    if (!head.symbolic && !head.oid) throw new GiveUp();
    if (head.oid || (args.unborn && args.symrefs && head.symbolic))
      out.push(await line("HEAD", head.oid, head.symbolic ? head.target : null));
  }

  const names = new Set<string>();
  for (const root of walkRoots(args.prefixes)) {
    for (const name of packed.refs.keys()) if (name.startsWith(root)) names.add(name);
    const loose: string[] = [];
    await looseNames(dir, root, loose);
    for (const name of loose) {
      if (!goodRefName(name)) throw new GiveUp();
      names.add(name);
    }
  }
  for (const name of [...names].filter(matches).sort(byBytes)) {
    const ref = await resolve(dir, packed, name);
    if (!ref.oid) throw new GiveUp(); // a dangling symref: git leaves it out with a warning
    out.push(await line(name, ref.oid, ref.symbolic ? ref.target : null));
  }
  out.push(Buffer.from("0000"));
  return Buffer.concat(out);
}

/** The ls-refs answer for the repository at `dir` (pkt-lines and a flush), or null to leave it to git. */
export async function lsRefs(dir: string, args: LsRefsArgs, peelTag: PeelTag): Promise<Buffer | null> {
  try {
    return await answer(dir, args, peelTag);
  } catch (err) {
    if (err instanceof GiveUp || err instanceof PktError) return null;
    throw err;
  }
}
