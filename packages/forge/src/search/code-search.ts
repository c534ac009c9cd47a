// Code search inside one project: `git grep` at a ref (the default branch unless another is
// named), literal by default or a Perl-compatible regular expression (POSIX extended when
// this git lacks PCRE). Readable by whoever may read the project (404 otherwise). Bounded
// work: the pattern is at most 256 characters (search-query.ts), PCRE's own match and stack
// limits stop catastrophic backtracking (a 400 that says so), git is killed after the time
// limit and an amount of output, and a small in-process cap on concurrent searches, smaller
// still per client (search-slots.ts), keeps a burst of them from starving the machine.
import type { Viewer } from "../accounts/viewer.ts";
import { encodePath, encodeRef, locateRef, openRepo, type Repo } from "../browse/browse-service.ts";
import { AppError, invalid } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import {
  type GrepMatch,
  type GrepOptions,
  grepCommit,
  InvalidPattern,
  NoPcre,
  PatternTooCostly,
} from "./git-grep.ts";
import { SearchSlots } from "./search-slots.ts";

export const CODE_SEARCH_TIMEOUT_MS = 5_000;
export const MAX_CODE_RESULTS = 500;
export const DEFAULT_CODE_RESULTS = 100;
export const MAX_LINE_CHARS = 400;
/** Code searches running at once in this process, and for any one client. */
export const MAX_CONCURRENT_SEARCHES = 4;
export const MAX_CONCURRENT_SEARCHES_PER_CLIENT = 2;

export interface CodeSearch {
  q: string;
  regex?: boolean;
  ignoreCase?: boolean;
  ref?: string;
  limit?: number;
  /** Tests shorten this; everyone else gets CODE_SEARCH_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface CodeMatch extends GrepMatch {
  /** The file view at that line. */
  url: string;
}

export interface CodeResults {
  repo: Repo;
  /** The ref searched (null for an empty repository) and the commit it pointed at. */
  ref: string | null;
  commit: string | null;
  items: CodeMatch[];
  truncated: boolean;
  timed_out: boolean;
}

const slots = new SearchSlots(MAX_CONCURRENT_SEARCHES, MAX_CONCURRENT_SEARCHES_PER_CLIENT);
let pcre = true;

async function grep(dir: string, commit: string, opts: GrepOptions) {
  if (opts.syntax === "perl" && !pcre) opts = { ...opts, syntax: "extended" };
  try {
    return await grepCommit(dir, commit, opts);
  } catch (err) {
    if (err instanceof NoPcre) {
      pcre = false;
      return grepCommit(dir, commit, { ...opts, syntax: "extended" });
    }
    throw err;
  }
}

export async function searchCode(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  handle: string,
  search: CodeSearch,
): Promise<CodeResults> {
  const repo = await openRepo(forge, viewer, owner, handle);
  const loc = await locateRef(repo, search.ref);
  if (!loc) return { repo, ref: null, commit: null, items: [], truncated: false, timed_out: false };
  const release = slots.acquire(viewer.user ? `user:${viewer.user.id}` : `ip:${viewer.ip}`);
  if (!release) {
    throw new AppError("rate_limited", "Too many code searches are running; try again in a moment", {
      headers: { "Retry-After": "2" },
    });
  }
  try {
    const result = await grep(repo.dir, loc.commit, {
      pattern: search.q,
      syntax: search.regex ? "perl" : "fixed",
      ignoreCase: search.ignoreCase ?? false,
      maxMatches: Math.min(search.limit ?? DEFAULT_CODE_RESULTS, MAX_CODE_RESULTS),
      timeoutMs: search.timeoutMs ?? CODE_SEARCH_TIMEOUT_MS,
      maxLineChars: MAX_LINE_CHARS,
    });
    return {
      repo,
      ref: loc.ref,
      commit: loc.commit,
      items: result.matches.map((m) => ({
        ...m,
        url: `${repo.base}/blob/${encodeRef(loc.ref)}/${encodePath(m.path)}#L${m.line}`,
      })),
      truncated: result.truncated,
      timed_out: result.timedOut,
    };
  } catch (err) {
    if (err instanceof PatternTooCostly) {
      throw invalid(
        "The regular expression needs too much backtracking on this code; make it more specific (fewer nested or overlapping repetitions)",
        [{ field: "q", message: err.message }],
      );
    }
    if (err instanceof InvalidPattern) {
      throw invalid(`Invalid regular expression: ${err.message}`, [{ field: "q", message: err.message }]);
    }
    throw err;
  } finally {
    release();
  }
}
