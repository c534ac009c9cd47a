// ActivityPub federation through Fedify (docs/federation.md, ADR 26): WebFinger and NodeInfo for
// the instance; users (Person), organizations (Organization) and public projects (Group, for
// ForgeFed's Repository, which Fedify's vocabulary lacks) as actors with inbox, outbox and
// followers; Follow/Accept/Undo in, notes and replies in (inbox-notes.ts), and landings and
// releases of public projects out (federation-jobs.ts, outbox.ts).
// Private projects and suspended accounts are not actors (404). Fedify verifies the HTTP
// signatures of what comes in; every document it loads (actors, keys, unknown JSON-LD contexts)
// is fetched through the forge's outbound guard, and every delivery is signed here with Fedify's
// signRequest and sent through the same guard (federation-jobs.ts).
import {
  Accept,
  type Activity,
  type Actor,
  type Context,
  Create,
  createFederation,
  Delete,
  type DocumentLoader,
  Endpoints,
  exportJwk,
  type Federation,
  Follow,
  fetchDocumentLoader,
  Group,
  generateCryptoKeyPair,
  importJwk,
  isActor,
  lookupObject,
  MemoryKvStore,
  Organization,
  Person,
  Undo,
  Update,
} from "@fedify/fedify";
import { parseSemVer } from "@fedify/fedify/nodeinfo";
import { ulid } from "@micelio/core/ulid";
import type { Context as HonoContext, MiddlewareHandler, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { clientIp } from "../http/client-ip.ts";
import type { AppEnv, Forge } from "../http/context.ts";
import { enqueue } from "../jobs/index.ts";
import { type OutboundDeps, outboundRequest } from "../outbound/outbound-client.ts";
import { onCreate, onDelete, onUpdate } from "./inbox-notes.ts";
import { registerOutbox } from "./outbox.ts";

export const ACTOR_PATH = "/ap/actors/{identifier}";
export const DELIVER_ACTIVITY_JOB = "federation.deliver";
const AS_ACCEPT =
  'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const USER_AGENT = "Micelio/0.1 (+ActivityPub)";

/** A local actor: a user or organization (identifier = handle) or a public project ("owner.project"). */
export interface LocalActor {
  kind: "user" | "org" | "project";
  /** The account's or project's id (keys and followers are kept by it, so renames keep them). */
  id: string;
  identifier: string;
  name: string;
  summary: string;
  path: string;
}

/** Whether a host is on the instance's blocklist (the domain itself or any subdomain). */
export function blockedHost(block: string[], host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return block.some((d) => h === d || h.endsWith(`.${d}`));
}

/** The local actor an identifier names, or null (unknown, private project, suspended account). */
export async function localActor(db: Db, identifier: string): Promise<LocalActor | null> {
  const dot = identifier.indexOf(".");
  if (dot < 0) {
    const a = await db
      .selectFrom("accounts")
      .select(["id", "kind", "handle", "display_name", "bio", "suspended_at", "signup_pending"])
      .where(sql<boolean>`lower(handle) = lower(${identifier})`)
      .executeTakeFirst();
    if (!a || a.suspended_at || a.signup_pending) return null;
    return {
      kind: a.kind,
      id: a.id,
      identifier: a.handle,
      name: a.display_name || a.handle,
      summary: a.bio,
      path: `/${a.handle}`,
    };
  }
  const owner = identifier.slice(0, dot);
  const handle = identifier.slice(dot + 1);
  const p = await db
    .selectFrom("projects as p")
    .innerJoin("accounts as o", "o.id", "p.owner_id")
    .select([
      "p.id",
      "p.handle",
      "p.name",
      "p.description",
      "p.visibility",
      "o.handle as owner",
      "o.suspended_at",
    ])
    .where(sql<boolean>`lower(o.handle) = lower(${owner})`)
    .where(sql<boolean>`lower(p.handle) = lower(${handle})`)
    .executeTakeFirst();
  if (p?.visibility !== "public" || p.suspended_at) return null;
  return {
    kind: "project",
    id: p.id,
    identifier: `${p.owner}.${p.handle}`,
    name: p.name || p.handle,
    summary: p.description,
    path: `/${p.owner}/${p.handle}`,
  };
}

/** The actor's key pair, made on first use; the private key is sealed by the secret box. */
export async function keyPairOf(forge: Pick<Forge, "db" | "secrets">, ownerId: string) {
  const row = await forge.db
    .selectFrom("federation_keys")
    .select(["public_jwk", "private_jwk"])
    .where("owner_id", "=", ownerId)
    .executeTakeFirst();
  if (row) {
    return {
      publicKey: await importJwk(JSON.parse(row.public_jwk), "public"),
      privateKey: await importJwk(JSON.parse(forge.secrets.open(row.private_jwk)), "private"),
    };
  }
  const pair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  await forge.db
    .insertInto("federation_keys")
    .values({
      owner_id: ownerId,
      public_jwk: JSON.stringify(await exportJwk(pair.publicKey)),
      private_jwk: forge.secrets.seal(JSON.stringify(await exportJwk(pair.privateKey))),
    })
    .onConflict((oc) => oc.column("owner_id").doNothing())
    .execute();
  // Two first uses at once: the row that won is the key.
  const kept = await forge.db
    .selectFrom("federation_keys")
    .select(["public_jwk", "private_jwk"])
    .where("owner_id", "=", ownerId)
    .executeTakeFirstOrThrow();
  return {
    publicKey: await importJwk(JSON.parse(kept.public_jwk), "public"),
    privateKey: await importJwk(JSON.parse(forge.secrets.open(kept.private_jwk)), "private"),
  };
}

// JSON-LD contexts Fedify ships (ActivityStreams, security, …) are answered from memory; any
// other document is fetched through the outbound guard.
let preloaded: Record<string, unknown> | undefined;
async function preloadedContexts() {
  if (!preloaded) {
    const file = new URL("./runtime/contexts.js", import.meta.resolve("@fedify/fedify"));
    preloaded = ((await import(file.href)) as { default: Record<string, unknown> }).default;
  }
  return preloaded;
}

/** A Fedify document loader that fetches through the outbound guard and honours the blocklist. */
export function guardedLoader(outbound: OutboundDeps, block: string[]): DocumentLoader {
  return async (url: string) => {
    if (url in (await preloadedContexts())) return fetchDocumentLoader(url);
    const host = new URL(url).hostname;
    if (blockedHost(block, host)) throw new Error(`${host} is blocked on this instance`);
    const answer = await outboundRequest(
      url,
      { headers: { accept: AS_ACCEPT, "user-agent": USER_AGENT }, maxBytes: 1024 * 1024, timeoutMs: 10_000 },
      outbound,
    );
    if (answer.status >= 400) throw new Error(`${url} answered HTTP ${answer.status}`);
    return { contextUrl: null, documentUrl: answer.url, document: JSON.parse(answer.body.toString("utf8")) };
  };
}

const federations = new WeakMap<Forge, Federation<Forge>>();

/** The forge's Fedify federation (one per forge). */
export function federationOf(forge: Forge): Federation<Forge> {
  const known = federations.get(forge);
  if (known) return known;
  const loader = guardedLoader(forge.outbound, forge.config.federation.block);
  const fed = createFederation<Forge>({
    kv: new MemoryKvStore(),
    documentLoaderFactory: () => loader,
    contextLoaderFactory: () => loader,
    authenticatedDocumentLoaderFactory: () => loader,
    // Behind a proxy the public URL names the actors, not the address the request arrived at.
    ...(forge.config.publicUrl ? { origin: forge.config.publicUrl.replace(/\/+$/, "") } : {}),
  });
  build(fed);
  federations.set(forge, fed);
  return fed;
}

function build(fed: Federation<Forge>) {
  fed
    .setActorDispatcher(ACTOR_PATH, async (ctx, identifier) => {
      const a = await localActor(ctx.data.db, identifier);
      if (!a) return null;
      const keys = await ctx.getActorKeyPairs(identifier);
      const common = {
        id: ctx.getActorUri(identifier),
        preferredUsername: a.identifier,
        name: a.name,
        summary: a.summary || null,
        url: new URL(a.path, ctx.origin),
        inbox: ctx.getInboxUri(identifier),
        outbox: ctx.getOutboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: keys[0]?.cryptographicKey,
        assertionMethods: keys.map((k) => k.multikey),
        manuallyApprovesFollowers: false,
      };
      if (a.kind === "project") return new Group(common);
      if (a.kind === "org") return new Organization(common);
      return new Person(common);
    })
    .mapHandle(async (ctx, username) => (await localActor(ctx.data.db, username))?.identifier ?? null)
    .setKeyPairsDispatcher(async (ctx, identifier) => {
      const a = await localActor(ctx.data.db, identifier);
      if (!a) return [];
      return [await keyPairOf(ctx.data, a.id)];
    });

  fed
    .setFollowersDispatcher(`${ACTOR_PATH}/followers`, async (ctx, identifier) => {
      const a = await localActor(ctx.data.db, identifier);
      if (!a) return null;
      const rows = await ctx.data.db
        .selectFrom("federation_followers")
        .select(["actor_uri", "inbox_url"])
        .where("local_id", "=", a.id)
        .orderBy("created_at")
        .limit(1000)
        .execute();
      return {
        items: rows.map((r) => ({
          id: new URL(r.actor_uri),
          inboxId: new URL(r.inbox_url),
          endpoints: null,
        })),
      };
    })
    .setCounter(async (ctx, identifier) => {
      const a = await localActor(ctx.data.db, identifier);
      if (!a) return null;
      const r = await ctx.data.db
        .selectFrom("federation_followers")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("local_id", "=", a.id)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    });

  registerOutbox(fed); // outbox.ts: the outboxes and the notes' own URLs

  fed.setNodeInfoDispatcher("/nodeinfo/2.1", async (ctx) => {
    const users = await ctx.data.db
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kind", "=", "user")
      .where("suspended_at", "is", null)
      .executeTakeFirst();
    const posts = await ctx.data.db
      .selectFrom("landings as l")
      .innerJoin("projects as p", "p.id", "l.project_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("p.visibility", "=", "public")
      .executeTakeFirst();
    return {
      software: { name: "micelio", version: parseSemVer("0.1.0") },
      protocols: ["activitypub"],
      openRegistrations: false,
      usage: { users: { total: Number(users?.n ?? 0) }, localPosts: Number(posts?.n ?? 0), localComments: 0 },
    };
  });

  fed
    .setInboxListeners(`${ACTOR_PATH}/inbox`, "/ap/inbox")
    .on(Follow, async (ctx, follow) => {
      if (!follow.id || !follow.actorId || !follow.objectId) return;
      if (refused(ctx, follow.actorId)) return;
      const target = ctx.parseUri(follow.objectId);
      if (target?.type !== "actor") return;
      const local = await localActor(ctx.data.db, target.identifier);
      if (!local) return;
      const follower = await follow.getActor(ctx);
      if (!follower?.id || !follower.inboxId) return;
      const inbox = follower.endpoints?.sharedInbox ?? follower.inboxId;
      await ctx.data.db
        .insertInto("federation_followers")
        .values({
          local_id: local.id,
          actor_uri: follower.id.href,
          inbox_url: inbox.href,
          follow_id: follow.id.href,
        })
        .onConflict((oc) =>
          oc
            .columns(["local_id", "actor_uri"])
            .doUpdateSet({ inbox_url: inbox.href, follow_id: follow.id?.href }),
        )
        .execute();
      const accept = new Accept({
        id: new URL(`${ctx.getActorUri(local.identifier).href}#accepts/${ulid().toLowerCase()}`),
        actor: ctx.getActorUri(local.identifier),
        object: follow,
        to: follower.id,
      });
      await enqueueDelivery(ctx, local, follower.inboxId, accept);
    })
    .on(Accept, async (ctx, accept) => {
      if (!accept.actorId || refused(ctx, accept.actorId)) return;
      const objectId = accept.objectId?.href;
      let q = ctx.data.db
        .updateTable("federation_following")
        .set({ state: "accepted" })
        .where("actor_uri", "=", accept.actorId.href);
      if (objectId) q = q.where("follow_id", "=", objectId);
      await q.execute();
    })
    .on(Undo, async (ctx, undo) => {
      if (!undo.actorId || refused(ctx, undo.actorId)) return;
      const object = await undo.getObject(ctx);
      if (!(object instanceof Follow) || !object.objectId) return;
      if (object.actorId && object.actorId.href !== undo.actorId.href) return;
      const target = ctx.parseUri(object.objectId);
      if (target?.type !== "actor") return;
      const local = await localActor(ctx.data.db, target.identifier);
      if (!local) return;
      await ctx.data.db
        .deleteFrom("federation_followers")
        .where("local_id", "=", local.id)
        .where("actor_uri", "=", undo.actorId.href)
        .execute();
    })
    .on(Create, async (ctx, create) => {
      if (create.actorId && !refused(ctx, create.actorId)) await onCreate(ctx, create);
    })
    .on(Update, async (ctx, update) => {
      if (update.actorId && !refused(ctx, update.actorId)) await onUpdate(ctx, update);
    })
    .on(Delete, async (ctx, del) => {
      if (del.actorId && !refused(ctx, del.actorId)) await onDelete(ctx, del);
    });
}

/** Activities from blocked domains are dropped (the middleware refuses their signed requests first). */
function refused(ctx: Context<Forge>, actorId: URL) {
  return blockedHost(ctx.data.config.federation.block, actorId.hostname);
}

/** Remote HTML reduced to text: the forge shows it as text, never as markup (the first 20,000 characters: the regexes stay cheap). */
export function plainText(html: string): string {
  return html
    .slice(0, 20_000)
    .replace(/<(script|style)\b[^<>]*>[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>\s*<p[^<>]*>/gi, "\n\n")
    .replace(/<[^<>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}

/** Queues one signed delivery of an activity from a local actor to an inbox. */
export async function enqueueDelivery(
  ctx: Context<Forge>,
  from: Pick<LocalActor, "id" | "identifier">,
  inbox: URL,
  activity: Activity,
  opts: { db?: Db; uniqueKey?: string } = {},
) {
  const body = await activity.toJsonLd({ contextLoader: ctx.contextLoader, format: "compact" });
  await enqueue(
    opts.db ?? ctx.data.db,
    DELIVER_ACTIVITY_JOB,
    {
      owner: from.id,
      keyId: `${ctx.getActorUri(from.identifier).href}#main-key`,
      inbox: inbox.href,
      body: JSON.stringify(body),
    },
    opts.uniqueKey ? { uniqueKey: opts.uniqueKey } : {},
  );
}

/** Looks a remote actor up by handle (user@host, WebFinger) or by URL, through the outbound guard. */
export async function lookupRemoteActor(forge: Forge, handleOrUrl: string): Promise<Actor> {
  const loader = guardedLoader(forge.outbound, forge.config.federation.block);
  let actorUrl = handleOrUrl.trim();
  const m = /^@?([^@\s/]+)@([^@\s/]+)$/.exec(actorUrl);
  if (m) {
    const [, user, host] = m;
    if (blockedHost(forge.config.federation.block, host.replace(/:\d+$/, "")))
      throw new FederationError("blocked", `${host} is blocked on this instance`);
    let found: string | undefined;
    for (const scheme of ["https", "http"]) {
      const resource = encodeURIComponent(`acct:${user}@${host}`);
      try {
        const answer = await outboundRequest(
          `${scheme}://${host}/.well-known/webfinger?resource=${resource}`,
          { headers: { accept: "application/jrd+json", "user-agent": USER_AGENT }, maxBytes: 256 * 1024 },
          forge.outbound,
        );
        if (answer.status !== 200) continue;
        const jrd = JSON.parse(answer.body.toString("utf8")) as {
          links?: { rel?: string; type?: string; href?: string }[];
        };
        found = jrd.links?.find(
          (l) => l.rel === "self" && (l.type ?? "").includes("activity+json") && typeof l.href === "string",
        )?.href;
        if (found) break;
      } catch {
        // the next scheme
      }
    }
    if (!found) throw new FederationError("not-found", `no ActivityPub actor answers to ${handleOrUrl}`);
    actorUrl = found;
  }
  let parsed: URL;
  try {
    parsed = new URL(actorUrl);
  } catch {
    throw new FederationError("not-found", "give a handle like name@host or an actor URL");
  }
  if (blockedHost(forge.config.federation.block, parsed.hostname))
    throw new FederationError("blocked", `${parsed.hostname} is blocked on this instance`);
  const object = await lookupObject(parsed, { documentLoader: loader, contextLoader: loader }).catch(
    () => null,
  );
  if (!object || !isActor(object) || !object.id || !object.inboxId)
    throw new FederationError("not-found", `no ActivityPub actor answers to ${handleOrUrl}`);
  return object;
}

export class FederationError extends Error {
  constructor(
    readonly reason: "blocked" | "not-found" | "off",
    message: string,
  ) {
    super(message);
    this.name = "FederationError";
  }
}

/** The largest activity an inbox takes. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;
const activityLimit = bodyLimit({
  maxSize: MAX_ACTIVITY_BYTES,
  onError: (c) => c.json({ error: `activities are limited to ${MAX_ACTIVITY_BYTES} bytes` }, 413),
});

const FEDERATION_PATH = /^\/(?:\.well-known\/(?:webfinger|nodeinfo)$|nodeinfo\/2\.1$|ap\/)/;

/** Serves the federation's paths (before authentication, rate limits and CSRF: the requests are signed). */
export function federationRoutes(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!FEDERATION_PATH.test(c.req.path)) return next();
    const forge = c.get("forge");
    if (!forge.config.federation.enabled) return next();
    // Counted like anonymous requests, per address (the sign-in middleware comes later).
    const limited = await forge.limiter.consume(clientIp(c) || "unknown", "anonymous");
    if (!limited.allowed)
      return c.json({ error: "rate limited" }, 429, { "Retry-After": String(limited.resetSeconds) });
    // A signed request from a blocked domain is refused before anything else is looked at.
    // (draft-cavage: Signature keyId="…"; RFC 9421: Signature-Input …;keyid="…")
    const signed = `${c.req.header("signature") ?? ""} ${c.req.header("signature-input") ?? ""}`;
    const keyId = /keyid="([^"]+)"/i.exec(signed)?.[1];
    if (keyId) {
      let host = "";
      try {
        host = new URL(keyId).hostname;
      } catch {
        return c.json({ error: "bad signature" }, 401);
      }
      if (blockedHost(forge.config.federation.block, host)) return c.json({ error: "blocked" }, 403);
    }
    if (c.req.method === "POST") return activityLimit(c, () => serve(c, next));
    return serve(c, next);
  };
  async function serve(c: HonoContext<AppEnv>, next: Next) {
    const forge = c.get("forge");
    let missing = false;
    const res = await federationOf(forge).fetch(c.req.raw, {
      contextData: forge,
      onNotFound: () => {
        missing = true;
        return new Response("Not found", { status: 404 });
      },
      onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
    });
    if (missing) {
      await next();
      return;
    }
    c.res = res;
  }
}
