// Sign up / sign in (password; a passkey where the browser and server offer one).

import { post } from "../api.js";
import { field, h } from "../dom.js";
import { t } from "../i18n.js";
import { currentUser, state } from "../state.js";
import { busy, outlet, page } from "../ui.js";

const b64u = {
  decode(text) {
    const b64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0)).buffer;
  },
  encode(buffer) {
    let s = "";
    for (const byte of new Uint8Array(buffer)) s += String.fromCharCode(byte);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
};

export function passkeysAvailable() {
  return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

function requestOptions(json) {
  const options = json.publicKey || json;
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(options);
  return { ...options, challenge: b64u.decode(options.challenge), allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: b64u.decode(c.id) })) };
}

function creationOptions(json) {
  const options = json.publicKey || json;
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(options);
  return {
    ...options,
    challenge: b64u.decode(options.challenge),
    user: { ...options.user, id: b64u.decode(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: b64u.decode(c.id) })),
  };
}

function credentialJson(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: b64u.encode(r.clientDataJSON) };
  if (r.attestationObject) response.attestationObject = b64u.encode(r.attestationObject);
  if (r.authenticatorData) response.authenticatorData = b64u.encode(r.authenticatorData);
  if (r.signature) response.signature = b64u.encode(r.signature);
  if (r.userHandle) response.userHandle = b64u.encode(r.userHandle);
  return { id: credential.id, rawId: b64u.encode(credential.rawId), type: credential.type, response };
}

const parsed = (value) => (typeof value === "string" ? JSON.parse(value) : value);

/** Sign in with a passkey (WebAuthn); the server opens a session. */
export async function passkeySignIn() {
  const begun = await post("/api/wallet/passkeys/login/options", {});
  const credential = await navigator.credentials.get({ publicKey: requestOptions(parsed(begun.options)) });
  await post("/api/wallet/passkeys/login", { challenge_id: begun.challenge_id, credential: credentialJson(credential) });
}

/** Add a passkey to the signed-in account. */
export async function passkeyRegister() {
  const begun = await post("/api/wallet/passkeys/register/options", {});
  const credential = await navigator.credentials.create({ publicKey: creationOptions(parsed(begun.options)) });
  await post("/api/wallet/passkeys/register", { challenge_id: begun.challenge_id, credential: credentialJson(credential) });
}

async function signedIn() {
  await currentUser(true);
  const next = state.afterSignIn || "#/wallet";
  state.afterSignIn = "";
  location.hash = next;
}

function form(kind) {
  const username = field(t("auth.username"), h("input", { type: "text", name: "username", autocomplete: kind === "signup" ? "username" : "username webauthn", required: true, autocapitalize: "none", spellcheck: "false" }));
  const password = field(
    t("auth.password"),
    h("input", { type: "password", name: "password", autocomplete: kind === "signup" ? "new-password" : "current-password", required: true, minlength: kind === "signup" ? "10" : null }),
    kind === "signup" ? t("auth.password-hint") : null,
  );
  const out = outlet();
  const submit = h("button", { type: "submit", class: "primary" }, t(kind === "signup" ? "auth.create" : "auth.signin"));
  const el = h(
    "form",
    {
      class: "stack",
      onsubmit: (event) => {
        event.preventDefault();
        busy(
          submit,
          async () => {
            const body = { username: username.input.value.trim(), password: password.input.value };
            await post(kind === "signup" ? "/api/wallet/register" : "/api/wallet/login", body);
            if (kind === "signup") await post("/api/wallet/login", body).catch(() => {});
            await signedIn();
          },
          out,
        );
      },
    },
    username.wrap,
    password.wrap,
    out,
    h("div", { class: "actions" }, submit),
  );
  return el;
}

export async function signIn() {
  if (await currentUser()) {
    location.replace("#/wallet");
    return page(t("auth.signin"));
  }
  const out = outlet();
  const passkey = passkeysAvailable()
    ? h("button", { type: "button", class: "secondary", onclick: (e) => busy(e.currentTarget, async () => { await passkeySignIn(); await signedIn(); }, out) }, t("auth.passkey-signin"))
    : null;
  return page(t("auth.signin"), h("p", { class: "lead" }, t("auth.signin-lead")), passkey, passkey ? h("p", { class: "or" }, t("auth.or")) : null, out, form("signin"), h("p", {}, t("auth.no-account"), " ", h("a", { href: "#/signup" }, t("auth.signup"))));
}

export async function signUp() {
  return page(t("auth.signup"), h("p", { class: "lead" }, t("auth.signup-lead")), form("signup"), passkeysAvailable() ? h("p", { class: "hint" }, t("auth.passkey-later")) : null, h("p", {}, t("auth.have-account"), " ", h("a", { href: "#/signin" }, t("auth.signin"))));
}

