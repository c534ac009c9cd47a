// The public profile fields of an account as JSON (website, links, avatar URL); a leaf module
// so that accounts/accounts-service.ts can use it without an import cycle.
import type { Account } from "../db/schema.ts";
import { readLinks } from "./links.ts";

/** The public profile fields of an account, as the API and pages show them. */
export function profileFields(a: Account) {
  return {
    website: a.website,
    links: readLinks(a.links),
    avatar_url: avatarPath(a),
  };
}

/** Path of the account's avatar; the version changes whenever a new image is uploaded. */
export function avatarPath(a: Pick<Account, "handle" | "avatar">): string {
  const base = `/users/${encodeURIComponent(a.handle)}/avatar`;
  return a.avatar ? `${base}?v=${a.avatar.slice(0, 16)}` : base;
}
