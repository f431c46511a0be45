// What the screens hand to each other in this tab (never persisted: credentials stay on the server
// and, for offline reading, in the service worker's cache).

import { me } from "./api.js";

export const state = {
  user: undefined, // undefined: not asked yet; null: signed out
  imports: new Map(), // import id -> {id, report, summary, duplicate_of}
  requests: new Map(), // wallet request id -> {id, verifier, purpose, wanted, matches, payload}
  scanned: "", // the last scanned payload
  selection: [], // credential ids picked for a bundle or a share
  afterSignIn: "", // where to go after signing in
  resumeScan: "", // a scanned payload waiting for the learner to sign in
};

/** The signed-in learner (asked once per page load; refresh with force). */
export async function currentUser(force = false) {
  if (state.user === undefined || force) {
    try {
      state.user = await me();
    } catch {
      state.user = null;
    }
  }
  return state.user;
}

export const DATA_CACHE = "satchel-data-v1";

/** Forget the offline copies of the learner's credentials on this device. */
export async function clearOfflineData() {
  if ("caches" in window) await caches.delete(DATA_CACHE);
  localStorage.removeItem("satchel.lastSync");
}
