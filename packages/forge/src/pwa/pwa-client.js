// Registers the service worker (/sw.js) on every page, and on the /offline page lists the
// pages kept for offline reading. Served at /assets/pwa.js; pages work without it.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
}
const list = document.getElementById("offline-kept");
if (list && "caches" in self) {
  (async () => {
    const meta = await (await caches.open("micelio-meta")).match("/__micelio/account");
    const account = meta ? await meta.text() : "anonymous";
    const names = ["micelio-public"];
    if (account !== "anonymous") names.unshift(`micelio-private-${account}`);
    const seen = new Set();
    for (const name of names) {
      if (!(await caches.has(name))) continue;
      for (const req of (await (await caches.open(name)).keys()).reverse()) {
        const path = new URL(req.url).pathname;
        if (seen.has(path) || seen.size >= 20) continue;
        seen.add(path);
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = path;
        link.textContent = decodeURIComponent(path);
        item.append(link);
        list.append(item);
      }
    }
    if (seen.size > 0) list.closest("section")?.removeAttribute("hidden");
  })().catch(() => undefined);
}
