// The contribution track of a session, for reputation (trust/reputation.ts): docs when every
// path it landed is documentation, tests when every path is a test, fixes when its goal says
// it fixes something, features otherwise. Sessions that never landed have no recorded paths
// and are judged by their goal alone.
import type { Track } from "./reputation.ts";

const DOC =
  /(^|\/)(docs?|documentation)\/|\.(md|mdx|markdown|rst|txt|adoc)$|(^|\/)(README|LICENSE|CHANGELOG|CONTRIBUTING)[^/]*$/i;
const TEST = /(^|\/)(tests?|__tests__|spec|specs)\/|[._-](test|spec)\.[a-z0-9]+$|_test\.(go|py|rs|rb|exs?)$/i;
const FIX =
  /\b(fix(es|ed|ing)?|bug(fix)?s?|repair(s|ed)?|regression|crash(es)?|broken|hotfix|patch(es)? (a|the) )\b/i;

export function trackOf(goal: string, paths: string[]): Track {
  if (paths.length && paths.every((p) => TEST.test(p))) return "tests";
  if (paths.length && paths.every((p) => DOC.test(p))) return "docs";
  if (FIX.test(goal)) return "fixes";
  if (!paths.length && /\b(docs?|documentation|readme)\b/i.test(goal)) return "docs";
  if (!paths.length && /\btests?\b/i.test(goal)) return "tests";
  return "features";
}
