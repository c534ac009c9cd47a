// Secret scanning for landings and pushes: rules, scanners and a one-line formatter.
// Helpers not re-exported here are reachable as @micelio/core/secrets/<module>.
import type { Finding } from "./scan.ts";

export { type AddedFile, addedLines, PatchReader } from "./diff.ts";
export { shannonEntropy } from "./entropy.ts";
export {
  type RuleContext,
  type ScanLine,
  SECRET_RULES,
  type SecretRule,
  type SecretSpan,
} from "./patterns.ts";
export {
  ALLOW_MARKERS,
  DEFAULT_MAX_BYTES,
  type Finding,
  isLockfile,
  redactSecret,
  type ScanOptions,
  scanDiff,
  scanFiles,
  scanLines,
  scanText,
  skipReason,
} from "./scan.ts";
export { DiffScanStream, scanDiffStream } from "./scan-stream.ts";

/** One line for a rejection message: `src/config.ts:12: AWS access key id (AKIA…, 20 chars)`. */
export function formatFinding(f: Finding): string {
  return `${f.path}:${f.line}: ${f.description} (${f.preview})`;
}
