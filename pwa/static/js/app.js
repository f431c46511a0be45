// Satchel's app shell: routing, navigation, the offline and update banners, the service worker.

import { h, replace } from "./dom.js";
import { formatDate, initI18n, language, LANGUAGES, t, useLanguage } from "./i18n.js";
import { currentUser, state } from "./state.js";
import { errorBox } from "./ui.js";
import * as account from "./views/account.js";
import * as auth from "./views/auth.js";
import * as bundle from "./views/bundle.js";
import * as career from "./views/career.js";
import * as employer from "./views/employer.js";
import * as home from "./views/home.js";
import * as imports from "./views/imports.js";
import * as requests from "./views/requests.js";
import * as scan from "./views/scan.js";
import * as shares from "./views/shares.js";
import * as wallet from "./views/wallet.js";

// [pattern, view, needs a signed-in learner, nav tab]
const ROUTES = [
  ["/", home.home, false, "home"],
  ["/signin", auth.signIn, false, "wallet"],
  ["/signup", auth.signUp, false, "wallet"],
  ["/wallet", wallet.list, true, "wallet"],
  ["/wallet/:id", wallet.detail, true, "wallet"],
  ["/skills", wallet.skills, true, "wallet"],
  ["/import", imports.importScreen, true, "wallet"],
  ["/foyer/:id", imports.foyer, true, "wallet"],
  ["/bundle", bundle.builder, true, "wallet"],
  ["/shares", shares.list, true, "wallet"],
  ["/shares/:id", shares.detail, true, "wallet"],
  ["/request/:id", requests.answer, true, "scan"],
  ["/backup", account.backup, true, "more"],
  ["/settings", account.settings, false, "more"],
  ["/more", home.more, false, "more"],
  ["/walkthrough", home.walkthrough, false, "more"],
  ["/scan", scan.scanScreen, false, "scan"],
  ["/verify", employer.verifyScreen, false, "verify"],
  ["/verify/request", employer.requestScreen, false, "verify"],
  ["/fair", employer.fairScreen, false, "verify"],
  ["/career", career.sandbox, false, "more"],
];

const NAV = [
  ["wallet", "#/wallet", "nav.wallet"],
  ["scan", "#/scan", "nav.scan"],
  ["verify", "#/verify", "nav.verify"],
  ["more", "#/more", "nav.more"],
];

function match(path) {
  for (const [pattern, view, needsUser, tab] of ROUTES) {
    const names = [];
    const re = new RegExp("^" + pattern.replace(/:(\w+)/g, (m, name) => (names.push(name), "([^/]+)")) + "$");
    const m = re.exec(path);
    if (m) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(m[i + 1])]));
      return { view, needsUser, tab, params };
    }
  }
  return null;
}

function parseHash() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/";
  const [path, query = ""] = raw.split("?");
  return { path: path.replace(/\/+$/, "") || "/", query: new URLSearchParams(query) };
}

/** Share pages live at /s/{token} and /share/{token}, outside the hash routes. */
function sharePath() {
  const m = /^\/(?:s|share)\/([A-Za-z0-9_-]+)\/?$/.exec(location.pathname);
  return m ? m[1] : null;
}

function renderNav(active) {
  const nav = document.getElementById("nav");
  replace(
    nav,
    h(
      "ul",
      {},
      NAV.map(([key, href, label]) =>
        h("li", {}, h("a", { href, "aria-current": key === active ? "page" : null }, h("span", { class: `nav-icon icon-${key}`, "aria-hidden": "true" }), h("span", {}, t(label)))),
      ),
    ),
  );
  nav.setAttribute("aria-label", t("nav.label"));
}

function renderHeader() {
  const other = language() === "es" ? "en" : "es";
  const button = document.getElementById("lang");
  button.textContent = LANGUAGES[other];
  button.setAttribute("lang", other);
  button.setAttribute("aria-label", t("lang.switch", { language: LANGUAGES[other] }));
  document.getElementById("brand").textContent = t("app.name");
  document.getElementById("skip").textContent = t("app.skip");
  document.getElementById("toast").hidden = true;
}

let renderToken = 0;
let firstRender = true;

/** Render the screen for the current location. */
export async function render() {
  const token = ++renderToken;
  const main = document.getElementById("main");
  main.dataset.ready = "false";
  const shareToken = sharePath();
  const { path, query } = parseHash();
  let route = shareToken && !location.hash.startsWith("#/") ? { view: employer.sharePage, needsUser: false, tab: "verify", params: { token: shareToken } } : match(path);
  if (!route) route = { view: home.notFound, needsUser: false, tab: "", params: {} };
  renderNav(route.tab);
  for (const dialog of document.querySelectorAll("dialog")) dialog.close();
  let content;
  try {
    if (route.needsUser && !(await currentUser())) {
      state.afterSignIn = location.hash;
      location.replace("#/signin");
      return;
    }
    content = await route.view({ params: route.params, query, render });
  } catch (error) {
    content = h("section", { class: "page" }, h("h1", { tabindex: "-1" }, t("error.title")), errorBox(error));
  }
  if (token !== renderToken) return; // a newer navigation won
  const previous = main.firstElementChild;
  if (previous && typeof previous.teardown === "function") previous.teardown();
  replace(main, content);
  const heading = main.querySelector("h1");
  document.title = heading ? `${heading.textContent} — ${t("app.name")}` : t("app.name");
  if (!firstRender && heading) heading.focus();
  firstRender = false;
  window.scrollTo(0, 0);
  document.body.dataset.screen = route.tab || "none";
  main.dataset.ready = "true";
}

// --- offline and update banners -------------------------------------------------------------

let offlineSince = false;

/** Show "offline — last synced at …" while the network is gone or data came from the cache. */
export function showOffline(fromCache) {
  offlineSince = fromCache || !navigator.onLine;
  const banner = document.getElementById("offline-banner");
  if (!offlineSince) {
    banner.hidden = true;
    return;
  }
  const last = localStorage.getItem("satchel.lastSync");
  banner.textContent = last ? t("offline.synced", { time: formatDate(last, true) }) : t("offline.never");
  banner.hidden = false;
}

let updateRequested = false;

function showUpdate(worker) {
  const banner = document.getElementById("update-banner");
  const reload = h(
    "button",
    {
      type: "button",
      class: "primary small",
      onclick: () => {
        reload.disabled = true;
        updateRequested = true;
        worker.postMessage({ type: "skip-waiting" });
      },
    },
    t("update.reload"),
  );
  replace(banner, h("span", {}, t("update.available")), " ", reload);
  banner.hidden = false;
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only the learner's "reload" starts a reload (not the first worker taking control).
    if (reloading || !updateRequested) return;
    reloading = true;
    location.reload();
  });
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" });
  const watch = (worker) => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) showUpdate(worker);
    });
  };
  if (registration.waiting && navigator.serviceWorker.controller) showUpdate(registration.waiting);
  if (registration.installing) watch(registration.installing);
  registration.addEventListener("updatefound", () => watch(registration.installing));
  navigator.serviceWorker.ready.then(() => {
    document.documentElement.dataset.sw = "ready";
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

async function start() {
  await initI18n();
  renderHeader();
  const relabel = async () => {
    renderHeader();
    showOffline(offlineSince);
    await render();
  };
  document.getElementById("lang").addEventListener("click", async () => {
    await useLanguage(language() === "es" ? "en" : "es");
    await relabel();
  });
  window.addEventListener("satchel:language", relabel);
  document.getElementById("skip").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => showOffline(false));
  window.addEventListener("offline", () => showOffline(true));
  window.addEventListener("satchel:offline", (event) => showOffline(event.detail));
  // A failed request says more than navigator.onLine (which can claim "online" with no network).
  showOffline(false);
  await render();
  registerWorker().catch(() => {});
}

start();
