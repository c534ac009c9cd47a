// Token authentications kept in process, so that an API call does not cost a query to learn
// who sent it. Keyed by the token's hash; at most MAX_ENTRIES (least recently used dropped)
// and each for at most TTL_MS. An entry is dropped — never left to expire — whenever what it
// says may have changed: by the write paths of this process (forgetUserTokens, called after a
// token is revoked or an account is suspended, unsuspended or made administrator), and for
// every process by the database itself (migration 0022: a trigger on accounts and api_tokens
// sends the account's id on the bus's "auth" channel, db/notify-bus.ts, on commit; a lost bus
// connection drops everything). The TTL only bounds how long a write the triggers could not
// see (none known) would go unnoticed. A lookup that started before an invalidation is not
// kept (the generation check), so a revoked token cannot come back from a slow read.
import type { Scope } from "@micelio/core";
import type { ProjectLimit } from "../accounts/viewer.ts";
import { onTableWrite } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import { RowCache } from "../db/row-cache.ts";
import type { Account } from "../db/schema.ts";

export interface TokenAuth {
  user: Account;
  scopes: Scope[];
  tokenId: string;
  agent: boolean;
  expiresAt: Date | null;
  /** When last_used_at was last written (at most once a minute). */
  usedAt: Date | null;
  /** A project token's limit (migration 0041); null for a token of every project. */
  projects: ProjectLimit | null;
}

export const AUTH_CHANNEL = "auth";

/** Authentications by token hash (5 minutes at most by default). */
export class TokenCache extends RowCache<TokenAuth> {
  constructor(maxEntries = 10_000, ttlMs = 5 * 60_000) {
    super(maxEntries, ttlMs);
  }

  /** Drops the entries of one account (its tokens or the account changed). */
  forgetUser(userId: string) {
    this.forget((auth) => auth.user.id === userId);
  }
}

/** The process's cache (MICELIO_TOKEN_CACHE_ENTRIES, 10,000 by default; 0 turns it off). */
export const tokenCache = new TokenCache(Number(process.env.MICELIO_TOKEN_CACHE_ENTRIES ?? 10_000));

// An account written by this process (verified address, profile, flags) is dropped from the
// cache at once, before the writer's next request; the bus tells the other processes.
// Org memberships too: an organization's token stops with its maker's ownership.
onTableWrite((table) => {
  if (table === "accounts" || table === "org_members") tokenCache.clear();
});

/** Drops what this process caches about `userId`'s tokens; null drops everything. */
export function forgetUserTokens(userId: string | null) {
  if (userId === null) tokenCache.clear();
  else tokenCache.forgetUser(userId);
}

/** Keeps the cache true across processes: the "auth" channel names accounts to drop. */
export function syncTokenCache(bus: Pick<NotifyBus, "subscribe">): () => void {
  return bus.subscribe(AUTH_CHANNEL, (userId) => forgetUserTokens(userId));
}
