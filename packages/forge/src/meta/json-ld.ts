// schema.org structured data for search engines: SoftwareSourceCode for a project page,
// Person or Organization for a profile, and the safe way to put it in a <script> element
// (every "<", ">", "&" and line separator escaped, so no text can close the element).
import type { Account } from "../db/schema.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import type { SpdxId } from "./license.ts";
import { spdxUrl } from "./license.ts";

export type JsonLd = Record<string, unknown>;

/** JSON for an inline <script type="application/ld+json">, safe against "</script>" and "<!--". */
export function serializeJsonLd(data: JsonLd): string {
  return JSON.stringify(data)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A profile's schema.org entity: Person for users, Organization for organizations. */
export function accountJsonLd(
  account: Pick<Account, "kind" | "handle" | "display_name" | "bio">,
  origin: string,
): JsonLd {
  const out: JsonLd = {
    "@context": "https://schema.org",
    "@type": account.kind === "org" ? "Organization" : "Person",
    name: account.display_name || account.handle,
    alternateName: account.handle,
    url: `${origin}/${account.handle}`,
  };
  if (account.bio) out.description = account.bio;
  return out;
}

export interface ProjectFacts {
  cloneUrl: string;
  origin: string;
  license?: SpdxId | "unknown";
  language?: string;
  committedAt?: Date;
}

export function projectJsonLd(p: ProjectWithOwner, facts: ProjectFacts): JsonLd {
  const modified = facts.committedAt && facts.committedAt > p.updated_at ? facts.committedAt : p.updated_at;
  const out: JsonLd = {
    "@context": "https://schema.org",
    "@type": "SoftwareSourceCode",
    name: p.name,
    url: `${facts.origin}/${p.owner_handle}/${p.handle}`,
    codeRepository: facts.cloneUrl,
    author: {
      "@type": p.owner_kind === "org" ? "Organization" : "Person",
      name: p.owner_handle,
      url: `${facts.origin}/${p.owner_handle}`,
    },
    dateCreated: new Date(p.created_at).toISOString(),
    dateModified: new Date(modified).toISOString(),
  };
  if (p.description) out.description = p.description;
  if (facts.language) out.programmingLanguage = facts.language;
  if (facts.license && facts.license !== "unknown") out.license = spdxUrl(facts.license);
  return out;
}
