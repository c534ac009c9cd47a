// What users type for a forge and a project, made into URLs. A server may be given without a
// scheme (`localhost:4000`, `forge.example`): loopback hosts get http://, others https://.
// `mic clone` takes OWNER/PROJECT or the project's web or git URL
// (https://forge.example/alice/site, …/alice/site.git, …/alice/site/blob/main/README.md).
import { CliError, EXIT } from "./exit-codes.ts";

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

/** A server as typed → its URL without a trailing slash (exit 1 when it is not one). */
export function normalizeServer(value: string): string {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
    ? text
    : `${LOOPBACK.test(text.split("/", 1)[0]!) ? "http" : "https"}://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(
      `not a server URL: "${value}" (expected e.g. https://forge.example or localhost:4000)`,
      EXIT.usage,
    );
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname || url.search || url.hash)
    throw new CliError(
      `not a server URL: "${value}" (expected e.g. https://forge.example or localhost:4000)`,
      EXIT.usage,
    );
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

export interface CloneTarget {
  owner: string;
  project: string;
  /** The forge named by a URL; undefined for a plain OWNER/PROJECT. */
  server?: string;
}

const NAME = /^[A-Za-z0-9][\w.-]*$/;

/** Whether `spec` is a URL (with or without scheme) rather than OWNER/PROJECT. */
const looksLikeUrl = (spec: string) =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || (spec.split("/").length > 2 && /[.:]/.test(spec.split("/")[0]!));

/**
 * OWNER/PROJECT, or a project's URL: its git URL (the segment ending in .git is the project,
 * what precedes its owner is the server, so a forge under a path prefix works) or a web URL
 * (the first two segments after the host, anything after them — /blob/main/x — ignored).
 */
export function parseCloneTarget(spec: string): CloneTarget {
  const text = spec.trim();
  if (!looksLikeUrl(text)) {
    const m = /^([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*?)(?:\.git)?$/.exec(text);
    if (!m) throw new CliError(`expected OWNER/PROJECT or a project's URL, got "${spec}"`, EXIT.usage);
    return { owner: m[1]!, project: m[2]! };
  }
  const base = normalizeServer(text.replace(/[?#].*$/, ""));
  const url = new URL(base);
  const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const git = segments.findIndex((s) => s.endsWith(".git"));
  const at = git >= 1 ? git - 1 : 0;
  const owner = segments[at];
  const project = segments[at + 1]?.replace(/\.git$/, "");
  if (!owner || !project || !NAME.test(owner) || !NAME.test(project))
    throw new CliError(
      `no project in "${spec}": expected a project's URL such as ${url.origin}/OWNER/PROJECT`,
      EXIT.usage,
    );
  const prefix = git >= 1 ? segments.slice(0, at).map(encodeURIComponent).join("/") : "";
  return { owner, project, server: prefix ? `${url.origin}/${prefix}` : url.origin };
}
