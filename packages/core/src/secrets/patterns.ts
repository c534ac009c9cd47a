// The secret-detection rules: well-known credential formats matched by prefix and
// shape, plus context-dependent matchers for AWS secret keys, private keys and
// generic high-entropy assignments. Every regex is bounded and linear in the line.
import { characterClasses, shannonEntropy } from "./entropy.ts";
import { isPlaceholder, isSequential, looksLikeFiller, namesSecret } from "./heuristics.ts";

/** One line handed to the rules: its 1-based number in the new file and its text. */
export interface ScanLine {
  line: number;
  text: string;
}

/** Where a rule is looking: all scanned lines of the file and the index of the current one. */
export interface RuleContext {
  lines: readonly ScanLine[];
  index: number;
}

/** A secret's position in a line, as UTF-16 offsets [start, end). */
export interface SecretSpan {
  start: number;
  end: number;
}

export interface SecretRule {
  id: string;
  description: string;
  /** Lower-case fragments; a line holding none of them is skipped. Empty: always run. */
  keywords: readonly string[];
  /** A global regex with the `d` flag; the secret is the `secret` group, else the whole match. */
  regex?: RegExp;
  /** Extra check on a regex match; false drops it. */
  validate?: (secret: string) => boolean;
  /** A custom matcher, used instead of `regex`. */
  match?: (text: string, ctx: RuleContext) => SecretSpan[];
  /** Heuristic rules are not run on lockfiles. */
  generic?: boolean;
}

const notFiller = (s: string) => !looksLikeFiller(s) && !isSequential(s);
const mixedCase = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s) && notFiller(s);

/** The lines within `distance` of the current one (by line number), the current one included. */
export function nearbyLines(ctx: RuleContext, distance: number): ScanLine[] {
  const here = ctx.lines[ctx.index]!.line;
  const out: ScanLine[] = [];
  for (let i = Math.max(0, ctx.index - distance); i <= ctx.index + distance && i < ctx.lines.length; i++) {
    const l = ctx.lines[i]!;
    if (Math.abs(l.line - here) <= distance) out.push(l);
  }
  return out;
}

/** Runs a global `d`-flag regex over `text` and returns the spans of its `secret` group. */
export function regexSpans(
  regex: RegExp,
  text: string,
  validate?: (secret: string) => boolean,
): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(regex)) {
    const at = m.indices?.groups?.secret ?? m.indices?.[0];
    if (!at) continue;
    const secret = text.slice(at[0], at[1]);
    if (validate && !validate(secret)) continue;
    spans.push({ start: at[0], end: at[1] });
  }
  return spans;
}

// --- AWS secret access keys found by context -------------------------------------------

const AWS_CONTEXT = /aws|amazon/i;
const AWS_KEY_ID = /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}/;
const BASE64_40 = /(?<![A-Za-z0-9/+=])(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dg;

function awsSecretCandidates(text: string, ctx: RuleContext): SecretSpan[] {
  if (!/[A-Za-z0-9/+]{40}/.test(text)) return [];
  const near = nearbyLines(ctx, 2);
  if (!near.some((l) => AWS_CONTEXT.test(l.text) || AWS_KEY_ID.test(l.text))) return [];
  return regexSpans(
    BASE64_40,
    text,
    (s) => mixedCase(s) && shannonEntropy(s) >= 4.2 && !isPlaceholder(s) && !/^[0-9a-f]+$/i.test(s),
  );
}

// --- private keys --------------------------------------------------------------------

const PRIVATE_KEY_HEADER = /-----BEGIN (?:[A-Z0-9]{1,12} ){0,2}PRIVATE KEY(?: BLOCK)?-----/dg;
const PEM_HEADER_LINE = /^\s*["'`]?(?:Proc-Type|DEK-Info|Comment|Version|Hash):/;

function isKeyMaterial(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9+/]/.test(s);
}

/** True when key material follows a header: on the same line (an escaped PEM) or just below. */
function hasKeyBody(rest: string, ctx: RuleContext): boolean {
  const inline = /^(?:\\r|\\n|\s)+([A-Za-z0-9+/=]{20,})/.exec(rest);
  if (inline && isKeyMaterial(inline[1]!)) return true;
  let expected = ctx.lines[ctx.index]!.line + 1;
  for (let i = ctx.index + 1; i < ctx.lines.length && i <= ctx.index + 5; i++, expected++) {
    const l = ctx.lines[i]!;
    if (l.line !== expected) return false;
    if (l.text.trim() === "" || PEM_HEADER_LINE.test(l.text)) continue;
    const body = /^\s*["'`]?([A-Za-z0-9+/=]{20,})/.exec(l.text);
    return body !== null && isKeyMaterial(body[1]!);
  }
  return false;
}

function privateKeys(text: string, ctx: RuleContext): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const span of regexSpans(PRIVATE_KEY_HEADER, text)) {
    if (hasKeyBody(text.slice(span.end, span.end + 200), ctx)) spans.push(span);
  }
  return spans;
}

// --- generic high-entropy assignments ------------------------------------------------

const ASSIGNMENT =
  /(?<![\w.-])(?<key>[\w.-]{0,40}?(?:pass(?:word|wd|phrase)|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[\w.-]{0,40})["']?\s{0,5}(?:=>|:=|=(?!=)|:(?!:))\s{0,5}(?:(?<q>["'`])(?<qv>[^\s"'`]{1,512})|(?<uv>[A-Za-z0-9+/=_.~!@#$%^&*-]{1,512}))/dgi;

/** Minimum Shannon entropy (bits per character) of a generic secret value. */
export const GENERIC_MIN_ENTROPY = 3.5;
/** Minimum length of a generic secret value. */
export const GENERIC_MIN_LENGTH = 16;

/** True when `value`, assigned to a secret-named key, looks like a real credential. */
export function isLikelySecretValue(value: string, quoted: boolean): boolean {
  if (value.length < GENERIC_MIN_LENGTH) return false;
  if (!quoted && !/[0-9]/.test(value)) return false;
  if (characterClasses(value) < 2) return false;
  if (shannonEntropy(value) < GENERIC_MIN_ENTROPY) return false;
  return !isPlaceholder(value);
}

function genericAssignments(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(ASSIGNMENT)) {
    const g = m.groups!;
    const at = m.indices!.groups!;
    const value = g.qv ?? g.uv ?? "";
    if (value.length < GENERIC_MIN_LENGTH || !namesSecret(g.key!)) continue;
    if (g.qv !== undefined) {
      const [start, end] = at.qv!;
      if (text[end] !== g.q) continue;
      if (isLikelySecretValue(g.qv, true)) spans.push({ start, end });
    } else if (g.uv !== undefined) {
      const [start, end] = at.uv!;
      if (end < text.length && !/[\s,;)\]}]/.test(text[end]!)) continue;
      if (isLikelySecretValue(g.uv, false)) spans.push({ start, end });
    }
  }
  return spans;
}

// --- the rules -----------------------------------------------------------------------

/** All rules, most specific first: on overlapping matches the earlier rule wins. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: "aws-access-key-id",
    description: "AWS access key id",
    keywords: ["akia", "asia", "abia", "acca"],
    regex: /(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Za-z0-9])/dg,
    validate: notFiller,
  },
  {
    id: "github-token",
    description: "GitHub token",
    keywords: ["gh", "github_pat_"],
    regex:
      /(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{30,240})(?![A-Za-z0-9_])/dg,
    validate: notFiller,
  },
  {
    id: "gitlab-token",
    description: "GitLab token",
    keywords: ["gl"],
    regex:
      /(?<![A-Za-z0-9_-])(?<secret>(?:glpat|gldt|glrt|glptt|glft|glimt|glsoat|glcbt|gloas|glagent)-[A-Za-z0-9_-]{20,250})/dg,
    validate: notFiller,
  },
  {
    id: "slack-token",
    description: "Slack token",
    keywords: ["xox"],
    regex: /(?<![A-Za-z0-9])(?<secret>xox[abeprs]-[0-9]{1,15}-[A-Za-z0-9-]{10,250})/dg,
    validate: notFiller,
  },
  {
    id: "slack-webhook",
    description: "Slack webhook URL",
    keywords: ["hooks.slack.com"],
    regex: /(?<secret>hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,300})/dg,
    validate: notFiller,
  },
  {
    id: "private-key",
    description: "Private key",
    keywords: ["private key"],
    match: privateKeys,
  },
  {
    id: "stripe-live-key",
    description: "Stripe live key",
    keywords: ["_live_"],
    regex: /(?<![A-Za-z0-9_])(?<secret>(?:sk|rk)_live_[A-Za-z0-9]{20,247})(?![A-Za-z0-9_])/dg,
    validate: notFiller,
  },
  {
    id: "google-api-key",
    description: "Google API key",
    keywords: ["aiza"],
    regex: /(?<![A-Za-z0-9_-])(?<secret>AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])/dg,
    validate: notFiller,
  },
  {
    id: "npm-token",
    description: "npm access token",
    keywords: ["npm_"],
    regex: /(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/dg,
    validate: notFiller,
  },
  {
    id: "anthropic-api-key",
    description: "Anthropic API key",
    keywords: ["sk-ant-"],
    regex: /(?<![A-Za-z0-9_-])(?<secret>sk-ant-[A-Za-z0-9_-]{32,300})(?![A-Za-z0-9_-])/dg,
    validate: mixedCase,
  },
  {
    id: "openai-api-key",
    description: "OpenAI API key",
    keywords: ["sk-"],
    regex: /(?<![A-Za-z0-9_-])(?<secret>sk-[A-Za-z0-9_-]{32,300})(?![A-Za-z0-9_-])/dg,
    validate: mixedCase,
  },
  {
    id: "micelio-token",
    description: "Micelio access token",
    keywords: ["mic_"],
    regex: /(?<![A-Za-z0-9_])(?<secret>mic_[A-Za-z0-9_-]{40})(?![A-Za-z0-9_-])/dg,
    validate: (s) => characterClasses(s.slice(4)) >= 2 && shannonEntropy(s) >= 3.5 && notFiller(s),
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key",
    keywords: ["secret"],
    regex:
      /(?<![A-Za-z0-9])(?:aws[_-]?secret(?:[_-]?access)?(?:[_-]?key)?|secret[_-]?access[_-]?key)[\s"'=:>,(]{1,12}(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi,
    validate: (s) => notFiller(s) && shannonEntropy(s) >= 3,
  },
  {
    id: "aws-secret-access-key-candidate",
    description: "AWS secret access key",
    keywords: [],
    match: awsSecretCandidates,
    generic: true,
  },
  {
    id: "generic-secret",
    description: "High-entropy secret assignment",
    keywords: ["pass", "secret", "token", "key"],
    match: genericAssignments,
    generic: true,
  },
];
