// Validation of what users put into git commands: ref names and repository paths. Anything
// that could be read as an option, escape the repository, or confuse git is refused.
import { hasControlCharacters } from "@micelio/core";
import { invalid } from "../errors/app-error.ts";

/** A branch, tag, or commit id as given in a URL. */
export function assertSafeRef(ref: string): string {
  if (
    !ref ||
    ref.length > 255 ||
    ref.startsWith("-") ||
    ref.includes("..") ||
    ref.includes("@{") ||
    hasControlCharacters(ref) ||
    /[ ~^:?*[\\]/.test(ref) ||
    ref.startsWith("/") ||
    ref.endsWith("/") ||
    ref.endsWith(".") ||
    ref.endsWith(".lock") ||
    ref.includes("//")
  ) {
    throw invalid(`Invalid ref name: ${JSON.stringify(ref.slice(0, 80))}`);
  }
  return ref;
}

/** A path inside the repository: relative, no `..`, no NUL, no leading dash or slash. */
export function assertSafePath(path: string): string {
  if (path.startsWith("/")) throw invalid(`Invalid path: ${JSON.stringify(path.slice(0, 80))}`);
  const clean = path.replace(/\/+$/, "");
  if (clean === "") return "";
  const parts = clean.split("/");
  if (
    clean.length > 4096 ||
    clean.startsWith("/") ||
    clean.startsWith("-") ||
    hasControlCharacters(clean) ||
    parts.some((p) => p === ".." || p === "." || p === "")
  ) {
    throw invalid(`Invalid path: ${JSON.stringify(path.slice(0, 80))}`);
  }
  return clean;
}

export const isFullSha = (ref: string) => /^[0-9a-f]{40}$/.test(ref) || /^[0-9a-f]{64}$/.test(ref);
