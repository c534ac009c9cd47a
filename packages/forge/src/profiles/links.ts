// Profile website and social links: URL validation and normalization (a missing scheme
// becomes https://, every scheme but http(s) is refused), bare handles expanded per network,
// and the zod schemas that the API and the settings form share.
import { z } from "zod";

export const NETWORKS = ["x", "github", "gitlab", "mastodon", "bluesky", "linkedin"] as const;
export type Network = (typeof NETWORKS)[number];
export type ProfileLinks = Partial<Record<Network, string>>;

export const NETWORK_LABELS: Record<Network, string> = {
  x: "X",
  github: "GitHub",
  gitlab: "GitLab",
  mastodon: "Mastodon",
  bluesky: "Bluesky",
  linkedin: "LinkedIn",
};

const PROFILE_BASE: Partial<Record<Network, string>> = {
  x: "https://x.com/",
  github: "https://github.com/",
  gitlab: "https://gitlab.com/",
  bluesky: "https://bsky.app/profile/",
  linkedin: "https://www.linkedin.com/in/",
};

export const MAX_URL_LENGTH = 500;
export const MAX_BIO_LENGTH = 160;

export class LinkError extends Error {}

// "name:" at the start is a scheme unless it is "host:port" (digits, then a path or the end).
const SCHEME = /^([a-z][a-z0-9+.-]*):(?!\d+(?:[/?#]|$))/i;

/** Returns the normalized http(s) URL, or throws LinkError with a message for the user. */
export function normalizeUrl(input: string): string {
  const raw = input.trim();
  if (!raw) throw new LinkError("Enter a URL");
  if (raw.length > MAX_URL_LENGTH) throw new LinkError(`URLs must be at most ${MAX_URL_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\s\u0000-\u001f\u007f\\]/.test(raw))
    throw new LinkError("URLs may not contain spaces or control characters");
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    throw new LinkError("Only http and https links are allowed");
  }
  const withScheme = scheme ? raw : raw.startsWith("//") ? `https:${raw}` : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new LinkError("That is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new LinkError("Only http and https links are allowed");
  }
  if (url.username || url.password) throw new LinkError("Links may not contain a user name or password");
  const host = url.hostname;
  if (!host.includes(".") && !host.startsWith("["))
    throw new LinkError("Enter a full domain name, such as example.com");
  if (host.startsWith(".") || host.endsWith("..")) throw new LinkError("That is not a valid URL");
  const out = url.pathname === "/" && !url.search && !url.hash ? url.origin : url.href;
  if (out.length > MAX_URL_LENGTH) throw new LinkError(`URLs must be at most ${MAX_URL_LENGTH} characters`);
  return out;
}

/** Like normalizeUrl, but a bare handle ("@alice", Mastodon's "@alice@host") becomes its profile URL. */
export function normalizeSocial(network: Network, input: string): string {
  const raw = input.trim();
  if (network === "mastodon") {
    const m = /^@?([A-Za-z0-9_]{1,64})@([A-Za-z0-9.-]+\.[A-Za-z]{2,63})$/.exec(raw);
    if (m) return normalizeUrl(`https://${m[2]}/@${m[1]}`);
  }
  const base = PROFILE_BASE[network];
  const handle = /^@?([A-Za-z0-9_-]{1,100})$/.exec(raw);
  if (base && handle) return normalizeUrl(base + handle[1]);
  return normalizeUrl(raw);
}

const urlField = (normalize: (v: string) => string) =>
  z
    .string()
    .max(MAX_URL_LENGTH * 2, `URLs must be at most ${MAX_URL_LENGTH} characters`)
    .transform((v, ctx) => {
      if (!v.trim()) return "";
      try {
        return normalize(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err instanceof LinkError ? err.message : "Invalid URL" });
        return z.NEVER;
      }
    });

export const bioField = z
  .string()
  .transform((v) => v.trim())
  .pipe(z.string().max(MAX_BIO_LENGTH, `The bio must be at most ${MAX_BIO_LENGTH} characters`));

export const websiteField = urlField(normalizeUrl);

/** Links keyed by network; an empty string or null removes that link. Unknown networks are refused. */
export const linksField = z
  .object(
    Object.fromEntries(
      NETWORKS.map((n) => [
        n,
        urlField((v) => normalizeSocial(n, v))
          .nullable()
          .optional(),
      ]),
    ) as Record<Network, z.ZodOptional<z.ZodNullable<ReturnType<typeof urlField>>>>,
  )
  .strict();

/** The stored form: only networks with a URL, in a stable order. */
export function cleanLinks(links: Partial<Record<Network, string | null | undefined>>): ProfileLinks {
  const out: ProfileLinks = {};
  for (const n of NETWORKS) {
    const v = links[n];
    if (v) out[n] = v;
  }
  return out;
}

/** Reads stored links defensively (the column is jsonb): drops anything not an http(s) URL. */
export function readLinks(stored: unknown): ProfileLinks {
  const out: ProfileLinks = {};
  if (!stored || typeof stored !== "object") return out;
  for (const n of NETWORKS) {
    const v = (stored as Record<string, unknown>)[n];
    if (typeof v === "string" && /^https?:\/\//i.test(v)) out[n] = v;
  }
  return out;
}
