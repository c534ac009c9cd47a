// Protocol v2's ls-refs (gitprotocol-v2, "ls-refs") answered in process, so that a clone or fetch
// starts one git process fewer. The answer is what git 2.39's upload-pack gives (ls-refs.c):
// HEAD first (when it resolves, or is an unborn symref and both `unborn` and `symrefs` were
// asked), then every ref under refs/ in byte order, each kept only if it starts with one of the
// `ref-prefix` arguments (all when none), with ` symref-target:` and ` peeled:` attributes when
// asked; then a flush. Refs are read fresh from git's files on every request (loose refs under
// the prefixes' directories first, then packed-refs, parsed once per version of the file:
// git-layer/packed-refs.ts), never from a cache that another process's write could leave stale.
//
// Whatever this does not reproduce exactly goes to upload-pack instead (lsRefs gives null):
// capabilities or arguments other than git's usual ones, configuration that changes the answer
// (hidden refs, lsrefs.unborn, another object format, includes), ref names git would refuse,
// broken or dangling refs. One difference stays: git leaves out refs whose object is missing,
// which this does not check (such a repository is corrupt, and the fetch fails either way).
// `ls-refs.test.ts` compares the two answers on random repositories and requests.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Pkt, PktError, pktLine } from "./bundles/pkt-line.ts";
import { goodRefName, type PackedRefs, readPackedRefs } from "./git-layer/packed-refs.ts";
import { usualArgs } from "./v2-request.ts";

export interface LsRefsArgs {
  symrefs: boolean;
  peel: boolean;
  unborn: boolean;
  prefixes: string[];
}

/** Finds the object a tag names, or null when `oid` is not a tag (or cannot be read). */
export type PeelTag = (oid: string) => Promise<string | null>;

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

class GiveUp extends Error {}

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

/**
 * packed-refs as last read, read again when a ref is in neither it nor a loose file (packed
 * since: packed-refs is always consulted after the loose files, git-layer/packed-refs.ts).
 */
class Packed {
  constructor(
    private readonly dir: string,
    public now: PackedRefs,
  ) {}

  static async read(dir: string): Promise<Packed> {
    const packed = new Packed(dir, await readPackedRefs(dir));
    packed.check();
    return packed;
  }

  async lookup(name: string): Promise<string | null> {
    const oid = this.now.refs.get(name);
    if (oid) return oid;
    this.now = await readPackedRefs(this.dir);
    this.check();
    return this.now.refs.get(name) ?? null;
  }

  private check() {
    if (!this.now.clean) throw new GiveUp();
  }
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
    const oid = loose?.oid ?? (await packed.lookup(at));
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
  // The loose refs are listed before packed-refs is read (git-layer/packed-refs.ts).
  const roots = walkRoots(args.prefixes);
  const looseByRoot: string[][] = [];
  for (const root of roots) {
    const loose: string[] = [];
    await looseNames(dir, root, loose);
    looseByRoot.push(loose);
  }
  const packed = await Packed.read(dir);
  const matches = (name: string) =>
    args.prefixes.length === 0 || args.prefixes.some((p) => name.startsWith(p));
  const peel = async (name: string, oid: string) => {
    const known = packed.now.refs.get(name) === oid ? packed.now.peeled.get(name) : undefined;
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
  for (const [i, root] of roots.entries()) {
    for (const name of packed.now.refs.keys()) if (name.startsWith(root)) names.add(name);
    for (const name of looseByRoot[i]!) {
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
