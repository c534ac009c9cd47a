// Facts about a project for badges and structured data: landing statistics from the
// database, and from trunk's head the licence, the dominant programming language and the
// date of the last change. The caller has already checked that the viewer may read it.
import { sql } from "kysely";
import { listRefs, listTree, readBlob, readHead } from "../browse/git-read.ts";
import type { Db } from "../db/db.ts";
import type { Forge } from "../http/context.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { detectLicense, pickLicenseFile, type SpdxId } from "./license.ts";

export interface LandingStats {
  landings: number;
  /** Landings whose session was by an agent, or whose origin is not "human". */
  byAgents: number;
  lastLanding: Date | null;
}

export async function landingStats(db: Db, projectId: string): Promise<LandingStats> {
  const row = await db
    .selectFrom("landings as l")
    .leftJoin("sessions as s", "s.id", "l.session_id")
    .where("l.project_id", "=", projectId)
    .select([
      sql<string | number>`count(*)`.as("total"),
      sql<string | number>`count(*) filter (where s.agent_name is not null or s.origin <> 'human')`.as(
        "agents",
      ),
      sql<Date | string | null>`max(l.created_at)`.as("last"),
    ])
    .executeTakeFirstOrThrow();
  return {
    landings: Number(row.total),
    byAgents: Number(row.agents),
    lastLanding: row.last === null ? null : new Date(row.last),
  };
}

export interface TrunkFacts {
  /** The head commit of the default branch, undefined for an empty repository. */
  head?: string;
  committedAt?: Date;
  /** undefined when there is no licence file at all. */
  license?: SpdxId | "unknown";
  language?: string;
}

const MAX_LICENSE_BYTES = 64 * 1024;

/** The licence at `commit`: undefined without a licence file, else its SPDX id or "unknown". */
export async function licenseAt(dir: string, commit: string): Promise<SpdxId | "unknown" | undefined> {
  const root = (await listTree(dir, commit, "")) ?? [];
  const file = pickLicenseFile(root);
  if (!file) return undefined;
  const { data } = await readBlob(dir, file.oid, MAX_LICENSE_BYTES);
  return detectLicense(data.toString("utf8"));
}

/** File extension → programming language name (schema.org takes a plain name). */
const LANGUAGES: Record<string, string> = {
  ts: "TypeScript",
  tsx: "TypeScript",
  mts: "TypeScript",
  cts: "TypeScript",
  js: "JavaScript",
  jsx: "JavaScript",
  mjs: "JavaScript",
  cjs: "JavaScript",
  py: "Python",
  go: "Go",
  rs: "Rust",
  rb: "Ruby",
  java: "Java",
  kt: "Kotlin",
  kts: "Kotlin",
  scala: "Scala",
  c: "C",
  h: "C",
  cpp: "C++",
  cc: "C++",
  cxx: "C++",
  hpp: "C++",
  cs: "C#",
  fs: "F#",
  swift: "Swift",
  m: "Objective-C",
  dart: "Dart",
  php: "PHP",
  ex: "Elixir",
  exs: "Elixir",
  erl: "Erlang",
  hs: "Haskell",
  ml: "OCaml",
  clj: "Clojure",
  lua: "Lua",
  zig: "Zig",
  nim: "Nim",
  jl: "Julia",
  r: "R",
  pl: "Perl",
  sh: "Shell",
  bash: "Shell",
  vue: "Vue",
  svelte: "Svelte",
  sql: "SQL",
  css: "CSS",
  scss: "SCSS",
  html: "HTML",
};
const MAX_TREE_BYTES = 4 * 1024 * 1024;

// A commit's tree never changes, so its language is cached by repository and commit.
const languageCache = new Map<string, string | undefined>();
const LANGUAGE_CACHE_SIZE = 500;

/** The language with the most bytes of source at `commit` (a bounded listing), if any. */
export async function dominantLanguage(dir: string, commit: string): Promise<string | undefined> {
  const key = `${dir}\0${commit}`;
  if (languageCache.has(key)) return languageCache.get(key);
  const lang = await measureLanguage(dir, commit);
  if (languageCache.size >= LANGUAGE_CACHE_SIZE) languageCache.delete(languageCache.keys().next().value!);
  languageCache.set(key, lang);
  return lang;
}

async function measureLanguage(dir: string, commit: string): Promise<string | undefined> {
  const { data } = await readHead(
    dir,
    ["ls-tree", "-r", "-z", "--long", "--end-of-options", commit],
    MAX_TREE_BYTES,
  );
  const bytes = new Map<string, number>();
  for (const record of data.toString("utf8").split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [, type, , size] = record.slice(0, tab).split(/ +/);
    const path = record.slice(tab + 1);
    if (type !== "blob" || /(^|\/)(node_modules|vendor|dist|third_party)\//.test(path)) continue;
    const dot = path.lastIndexOf(".");
    const lang = dot > path.lastIndexOf("/") ? LANGUAGES[path.slice(dot + 1).toLowerCase()] : undefined;
    if (lang) bytes.set(lang, (bytes.get(lang) ?? 0) + (Number(size) || 0));
  }
  let best: [string, number] | undefined;
  for (const entry of bytes) if (!best || entry[1] > best[1]) best = entry;
  return best?.[0];
}

/** Licence, language and last-change date from the default branch's head. */
export async function trunkFacts(
  forge: Forge,
  project: ProjectWithOwner,
  opts: { language?: boolean; license?: boolean } = {},
): Promise<TrunkFacts> {
  if (!forge.repos.exists(project.id)) return {};
  const dir = forge.repos.dir(project.id);
  const refs = await listRefs(dir);
  const branch = refs.branches.find((b) => b.name === refs.defaultBranch);
  if (!branch) return {};
  const [license, language] = await Promise.all([
    opts.license === false ? undefined : licenseAt(dir, branch.commit),
    opts.language ? dominantLanguage(dir, branch.commit) : undefined,
  ]);
  return { head: branch.commit, committedAt: branch.date, license, language };
}
