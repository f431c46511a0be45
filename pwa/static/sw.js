// Satchel's service worker. The server fills in VERSION (a hash of every static file) and SHELL.
//
// - The app shell is cached per release ("satchel-shell-VERSION") and served cache-first, so the
//   app opens offline; a new release installs beside the old one and waits until the learner
//   taps "reload" (the page posts {type: "skip-waiting"}); old shell caches are then deleted.
// - The learner's account, credential list, credential details and skills are fetched
//   network-first and copied into "satchel-data-v1" with the time of the copy, so they open
//   offline; a cached answer carries x-satchel-offline: 1 and x-satchel-synced-at.

const VERSION = "__VERSION__";
const SHELL = [] /* __SHELL__ */;
const SHELL_CACHE = `satchel-shell-${VERSION}`;
const DATA_CACHE = "satchel-data-v1";
const DATA_PATHS = [/^\/api\/wallet\/me$/, /^\/api\/wallet\/credentials$/, /^\/api\/wallet\/credentials\/[^/]+$/, /^\/api\/wallet\/skills$/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("satchel-shell-") && key !== SHELL_CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "skip-waiting") self.skipWaiting();
  else if (type === "version" && event.ports[0]) event.ports[0].postMessage({ version: VERSION });
});

async function shellFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(request);
}

async function pageRequest(request, url) {
  // The shell answers "/" at once; share pages are fresh from the network when possible.
  if (url.pathname === "/") return shellFirst(new Request("/"));
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(SHELL_CACHE);
    const shell = await cache.match("/");
    if (shell) return shell;
    throw error;
  }
}

async function stamped(response, headers) {
  const copy = new Headers(response.headers);
  for (const [key, value] of Object.entries(headers)) copy.set(key, value);
  return new Response(await response.clone().blob(), { status: response.status, statusText: response.statusText, headers: copy });
}

async function dataRequest(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, await stamped(response, { "x-satchel-synced-at": new Date().toISOString() }));
    } else if (response.status === 401 || response.status === 403) {
      await caches.delete(DATA_CACHE); // signed out elsewhere: keep nothing
    }
    return response;
  } catch (error) {
    const hit = await cache.match(request);
    if (hit) return stamped(hit, { "x-satchel-offline": "1" });
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(pageRequest(request, url));
  } else if (DATA_PATHS.some((re) => re.test(url.pathname))) {
    event.respondWith(dataRequest(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(shellFirst(request));
  }
});
