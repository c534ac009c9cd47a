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

interface Entry {
  auth: TokenAuth;
  storedAt: number;
  /** The database the entry was read from (tests run several forges in one process). */
  source: object;
}

export const AUTH_CHANNEL = "auth";

export class TokenCache {
  private readonly map = new Map<string, Entry>();
  private gen = 0;

  constructor(
    readonly maxEntries = 10_000,
    readonly ttlMs = 5 * 60_000,
  ) {}

  /** The generation to hand back to `set`: any invalidation in between makes `set` a no-op. */
  get generation() {
    return this.gen;
  }

  get(hash: string, source: object, now = Date.now()): TokenAuth | undefined {
    const hit = this.map.get(hash);
    if (!hit || hit.source !== source) return undefined;
    this.map.delete(hash);
    if (now - hit.storedAt > this.ttlMs) return undefined;
    this.map.set(hash, hit); // most recently used last
    return hit.auth;
  }

  set(hash: string, auth: TokenAuth, source: object, generation: number, now = Date.now()) {
    if (generation !== this.gen || this.maxEntries <= 0) return;
    this.map.delete(hash);
    this.map.set(hash, { auth, storedAt: now, source });
    for (const oldest of this.map.keys()) {
      if (this.map.size <= this.maxEntries) break;
      this.map.delete(oldest);
    }
  }

  /** Drops the entries of one account (its tokens or the account changed). */
  forgetUser(userId: string) {
    this.gen++;
    for (const [hash, e] of this.map) if (e.auth.user.id === userId) this.map.delete(hash);
  }

  clear() {
    this.gen++;
    this.map.clear();
  }

  get size() {
    return this.map.size;
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
