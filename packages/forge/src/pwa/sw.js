// Micelio's service worker (served at /sw.js, scope /). Pages are network-first: online, the
// page comes from the server as always; offline, the copy kept on the last visit is shown, or
// the /offline page. It keeps only GET pages and raw files the server marked for it
// (X-Micelio-Offline, see pwa/offline-marks.ts): "public" ones in one cache, "private" ones
// in a cache named after the account (X-Micelio-Account, a hash of its id). When another
// account, or nobody, is seen signed in, every other account's cache is deleted, and offline
// only the current account's cache is read. Each cache keeps its 100 newest entries.
const VERSION = "__VERSION__";
const SHELL = `micelio-shell-${VERSION}`;
const ASSETS = "micelio-assets";
const PUBLIC = "micelio-public";
const PRIVATE = "micelio-private-";
const META = "micelio-meta";
const ACCOUNT_KEY = "/__micelio/account";
const MAX_ENTRIES = 100;
const SHELL_URLS = ["/offline", "/assets/style.css", "/assets/pwa.js", "/assets/icons/icon-192.png"];
const NEVER = /^\/(?:api|mcp|settings|admin|login|logout|signup|auth|oauth|device)(?:\/|$)/;
const RAW = /^\/[^/]+\/[^/]+\/raw\//;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_URLS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("micelio-shell-") && name !== SHELL) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || req.headers.has("authorization")) return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname === "/sw.js" || NEVER.test(url.pathname)) return;
  const page = req.mode === "navigate";
  const asset = url.pathname.startsWith("/assets/");
  if (!page && !asset && !RAW.test(url.pathname)) return;
  event.respondWith(networkFirst(event, req, page, asset));
});

async function networkFirst(event, req, page, asset) {
  let res;
  try {
    res = await fetch(req);
  } catch (err) {
    const kept = await fromCache(req, asset);
    if (kept) return kept;
    if (page) return (await caches.match("/offline", { cacheName: SHELL })) ?? Response.error();
    throw err;
  }
  event.waitUntil(remember(req, res.clone(), asset).catch(() => undefined));
  return res;
}

/** The account whose private cache may be read now ("anonymous": none). */
async function currentAccount() {
  const kept = await (await caches.open(META)).match(ACCOUNT_KEY);
  return kept ? await kept.text() : "anonymous";
}

/** Makes `account` the current one: every other account's cache goes. */
async function switchAccount(account) {
  if (!/^(?:anonymous|[0-9a-f]{16,64})$/.test(account)) return;
  if ((await currentAccount()) !== account) {
    await (await caches.open(META)).put(ACCOUNT_KEY, new Response(account));
  }
  for (const name of await caches.keys()) {
    if (name.startsWith(PRIVATE) && name !== PRIVATE + account) await caches.delete(name);
  }
}

async function remember(req, res, asset) {
  const account = res.headers.get("x-micelio-account");
  if (account) await switchAccount(account);
  if (res.status !== 200 || res.redirected || res.type !== "basic") return;
  if (/(?:^|,)\s*no-store\b/i.test(res.headers.get("cache-control") ?? "")) return;
  const mark = res.headers.get("x-micelio-offline");
  let name;
  if (asset) name = ASSETS;
  else if (mark === "public") name = PUBLIC;
  else if (mark === "private" && account && account !== "anonymous") name = PRIVATE + account;
  else return;
  const cache = await caches.open(name);
  // Delete first, so the entry moves to the end: keys() lists the least recently kept first.
  await cache.delete(req, { ignoreVary: true });
  await cache.put(req, res);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) await cache.delete(old);
}

async function fromCache(req, asset) {
  const account = await currentAccount();
  const names = asset ? [ASSETS, SHELL] : [account === "anonymous" ? null : PRIVATE + account, PUBLIC];
  for (const name of names) {
    if (!name || !(await caches.has(name))) continue;
    const hit = await (await caches.open(name)).match(req, { ignoreVary: true });
    if (hit) return hit;
  }
  return undefined;
}
