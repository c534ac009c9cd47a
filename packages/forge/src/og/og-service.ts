// Open Graph pictures by content: a card's hash (of its clipped texts, facts, avatar version
// and OG_RENDER_VERSION) names the picture, in its URL and in the object store under
// "og/<kind>/<hash>.png". The first request draws and stores it; later ones read it back.
// Concurrent first requests for one picture share one drawing (in-process single flight).
import { createHash } from "node:crypto";
import type { Account } from "../db/schema.ts";
import type { Forge } from "../http/context.ts";
import type { ObjectStore } from "../objects/object-store.ts";
import { readAvatar } from "../profiles/avatars.ts";
import { identiconSvg } from "../profiles/identicon.ts";
import { storeFor } from "../storage/store-for.ts";
import { clipCard, OG_HEIGHT, OG_WIDTH, type OgCard } from "./og-card.ts";
import { OG_RENDER_VERSION, renderOgPng } from "./og-render.ts";

/** A picture's name: 32 hex digits. */
export const OG_HASH = /^[0-9a-f]{32}$/;

export function ogHash(card: OgCard): string {
  const body = JSON.stringify({ v: OG_RENDER_VERSION, card: clipCard(card) });
  return createHash("sha256").update(body).digest("hex").slice(0, 32);
}

export const ogObjectKey = (card: OgCard, hash = ogHash(card)) => `og/${card.kind}/${hash}.png`;

const inflight = new WeakMap<ObjectStore, Map<string, Promise<Buffer>>>();

/**
 * The picture of `card`: from the object store, or drawn now and stored. `ownerId` is the
 * account whose artifact it is (the project's owner, the account itself): its own bucket when
 * it set one (storage/store-for.ts), else the instance store.
 */
export function ogImage(forge: Forge, card: OgCard, ownerId?: string): Promise<Buffer> {
  const key = ogObjectKey(card);
  const running = inflight.get(forge.objects) ?? new Map<string, Promise<Buffer>>();
  inflight.set(forge.objects, running);
  const pending = running.get(key); // the key names the card, so its owner too
  if (pending) return pending;
  const work = (async () => {
    const store = await storeFor(forge, ownerId);
    const stored = await store.get(key);
    if (stored) return stored;
    const png = await renderOgPng(card, await avatarImage(forge, card.avatar));
    // Not stored (a full disk, say): still serve it; the next request draws it again.
    await store.put(key, png).catch((err) => forge.log.warn({ err, key }, "og: could not store a picture"));
    return png;
  })().finally(() => running.delete(key));
  running.set(key, work);
  return work;
}

async function avatarImage(forge: Forge, a: OgCard["avatar"]) {
  const png = a.hash
    ? await readAvatar(forge.config.dataDir, { id: a.accountId, avatar: a.hash } as Account)
    : null;
  return png ? { png } : { svg: identiconSvg(a.handle) };
}

export interface OgImageMeta {
  /** Absolute URL of the picture. */
  url: string;
  alt: string;
  width: number;
  height: number;
}

/** The head's description of the picture at `path` (without "/og/<hash>.png") for `card`. */
export function ogImageMeta(origin: string, path: string, card: OgCard): OgImageMeta {
  // The alt text is the real title (the picture may have left out what its font cannot draw).
  const short = (s: string) => Array.from(s.replace(/\s+/g, " ").trim()).slice(0, 150).join("");
  return {
    url: `${origin}${path}/og/${ogHash(card)}.png`,
    alt: `${short(card.title)} (${short(card.context)}) on Micelio`,
    width: OG_WIDTH,
    height: OG_HEIGHT,
  };
}
