// Code search inside one project: `git grep` at a ref (the default branch unless another is
// named), literal by default or a Perl-compatible regular expression (POSIX extended when
// this git lacks PCRE). Readable by whoever may read the project (404 otherwise). A small
// in-process cap on concurrent searches keeps a burst of them from starving the machine.
import type { Viewer } from "../accounts/viewer.ts";
import { encodePath, encodeRef, locateRef, openRepo, type Repo } from "../browse/browse-service.ts";
import { AppError, invalid } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { type GrepMatch, type GrepOptions, grepCommit, InvalidPattern, NoPcre } from "./git-grep.ts";

export const CODE_SEARCH_TIMEOUT_MS = 5_000;
export const MAX_CODE_RESULTS = 500;
export const DEFAULT_CODE_RESULTS = 100;
export const MAX_LINE_CHARS = 400;
const MAX_CONCURRENT = 4;

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

let running = 0;
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
  if (running >= MAX_CONCURRENT) {
    throw new AppError("rate_limited", "Too many code searches are running; try again in a moment", {
      headers: { "Retry-After": "2" },
    });
  }
  running++;
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
    if (err instanceof InvalidPattern) {
      throw invalid(`Invalid regular expression: ${err.message}`, [{ field: "q", message: err.message }]);
    }
    throw err;
  } finally {
    running--;
  }
}
