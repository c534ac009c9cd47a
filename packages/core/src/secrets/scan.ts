// Scans file contents and unified diffs for credentials. Findings carry the file, the
// 1-based line and column and a redacted preview; the secret itself is never returned.
import { addedLines } from "./diff.ts";
import { regexSpans, type ScanLine, SECRET_RULES, type SecretRule, type SecretSpan } from "./patterns.ts";

export interface Finding {
  /** Rule id, e.g. "aws-access-key-id". */
  rule: string;
  description: string;
  path: string;
  /** 1-based line in the (new) file. */
  line: number;
  /** 1-based column where the secret starts. */
  column: number;
  /** At most the first four characters, an ellipsis and the length: "AKIA…, 20 chars". */
  preview: string;
}

export interface ScanOptions {
  /** Files (or a diff's added text per file) larger than this many UTF-8 bytes are skipped. */
  maxBytes?: number;
  /** The rules to run; defaults to SECRET_RULES. */
  rules?: readonly SecretRule[];
}

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
/** How much of a file is searched for a NUL byte to call it binary. */
export const BINARY_SNIFF_LENGTH = 8 * 1024;
/** A line holding one of these markers is not reported. */
export const ALLOW_MARKERS = ["micelio:allow-secret", "gitleaks:allow"] as const;

const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "Cargo.lock",
  "go.sum",
  "composer.lock",
  "Gemfile.lock",
  "poetry.lock",
  "Pipfile.lock",
  "uv.lock",
  "flake.lock",
]);

/** True for dependency lockfiles, where the heuristic rules are not run. */
export function isLockfile(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return LOCKFILES.has(base);
}

/** True when a NUL character appears in the first 8 KB. */
export function isBinary(content: string): boolean {
  return content.slice(0, BINARY_SNIFF_LENGTH).includes("\0");
}

/** UTF-8 length of `s`, stopping early once it passes `limit`. */
function utf8LengthOver(s: string, limit: number): boolean {
  if (s.length > limit) return true;
  if (s.length * 3 <= limit) return false;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
    if (n > limit) return true;
  }
  return false;
}

/** Why a file is not scanned at all, or null when it is. */
export function skipReason(content: string, maxBytes = DEFAULT_MAX_BYTES): "binary" | "too-large" | null {
  if (isBinary(content)) return "binary";
  if (utf8LengthOver(content, maxBytes)) return "too-large";
  return null;
}

/** Redacts a secret to at most its first four characters, an ellipsis and its length. */
export function redactSecret(secret: string): string {
  const chars = Array.from(secret);
  const shown = chars.slice(0, Math.min(4, Math.floor(chars.length / 4))).join("");
  return `${shown}…, ${chars.length} chars`;
}

const overlaps = (a: SecretSpan, b: SecretSpan) => a.start < b.end && b.start < a.end;

/** Runs the rules over already split lines (numbered in the new file) of one file. */
export function scanLines(path: string, lines: readonly ScanLine[], options: ScanOptions = {}): Finding[] {
  const rules = options.rules ?? SECRET_RULES;
  const lock = isLockfile(path);
  const findings: Finding[] = [];
  for (let index = 0; index < lines.length; index++) {
    const { line, text } = lines[index]!;
    if (text.length < 8) continue;
    const lower = text.toLowerCase();
    if (ALLOW_MARKERS.some((m) => lower.includes(m))) continue;
    const taken: SecretSpan[] = [];
    const here: Finding[] = [];
    for (const rule of rules) {
      if (rule.generic && lock) continue;
      if (rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) continue;
      const spans = rule.match
        ? rule.match(text, { lines, index })
        : rule.regex
          ? regexSpans(rule.regex, text, rule.validate)
          : [];
      for (const span of spans) {
        if (taken.some((t) => overlaps(t, span))) continue;
        taken.push(span);
        here.push({
          rule: rule.id,
          description: rule.description,
          path,
          line,
          column: span.start + 1,
          preview: redactSecret(text.slice(span.start, span.end)),
        });
      }
    }
    here.sort((a, b) => a.column - b.column);
    findings.push(...here);
  }
  return findings;
}

/** Splits text into lines, dropping the `\r` of CRLF endings. */
export function splitLines(content: string): ScanLine[] {
  const parts = content.split("\n");
  return parts.map((text, i) => ({ line: i + 1, text: text.endsWith("\r") ? text.slice(0, -1) : text }));
}

/** Scans one file. Binary files and files over the size cap yield no findings. */
export function scanText(path: string, content: string, options: ScanOptions = {}): Finding[] {
  if (skipReason(content, options.maxBytes) !== null) return [];
  return scanLines(path, splitLines(content), options);
}

/** Scans several files, in order. */
export function scanFiles(
  files: readonly { path: string; content: string }[],
  options: ScanOptions = {},
): Finding[] {
  return files.flatMap((f) => scanText(f.path, f.content, options));
}

/**
 * Scans only the lines a unified diff adds, numbered as in the new file. A file whose
 * added text is binary or over the size cap is skipped, as in scanText.
 */
export function scanDiff(patch: string, options: ScanOptions = {}): Finding[] {
  const findings: Finding[] = [];
  for (const file of addedLines(patch)) {
    const added = file.lines.map((l) => l.text).join("\n");
    if (skipReason(added, options.maxBytes) !== null) continue;
    findings.push(...scanLines(file.path, file.lines, options));
  }
  return findings;
}
