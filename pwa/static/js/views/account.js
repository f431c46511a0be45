// Backup and restore; settings (language, account, passkeys, offline copies, sign out, version).

import { post, postForm, request } from "../api.js";
import { download, field, h, replace } from "../dom.js";
import { LANGUAGES, language, t, useLanguage } from "../i18n.js";
import { clearOfflineData, currentUser, state } from "../state.js";
import { actions, busy, copyField, errorBox, outlet, page, toast } from "../ui.js";
import { passkeyRegister, passkeysAvailable } from "./auth.js";

export async function backup() {
  const out = outlet();
  const pass = field(t("backup.passphrase"), h("input", { type: "password", autocomplete: "new-password", required: true, minlength: "12" }), t("backup.passphrase-hint"));
  const again = field(t("backup.again"), h("input", { type: "password", autocomplete: "new-password", required: true }));
  const make = h("button", { type: "submit", class: "primary" }, t("backup.download"));
  const backupForm = h(
    "form",
    {
      class: "stack card",
      onsubmit: (event) => {
        event.preventDefault();
        if (pass.input.value !== again.input.value) return replace(out, errorBox(new Error(t("backup.mismatch"))));
        return busy(make, async () => {
          const { data } = await request("POST", "/api/wallet/backup", { json: { passphrase: pass.input.value }, raw: true, accept: "application/jose, application/octet-stream, */*" });
          download(data, `satchel-backup-${new Date().toISOString().slice(0, 10)}.jwe`);
          replace(out, h("p", { role: "status", class: "success" }, t("backup.done")));
        }, out);
      },
    },
    h("h2", {}, t("backup.make")),
    h("p", {}, t("backup.explain")),
    pass.wrap,
    again.wrap,
    make,
  );

  const restoreOut = outlet();
  const file = field(t("backup.file"), h("input", { type: "file", accept: ".jwe,application/jose,application/octet-stream", required: true }));
  const restorePass = field(t("backup.passphrase"), h("input", { type: "password", autocomplete: "current-password", required: true }));
  const restore = h("button", { type: "submit", class: "primary" }, t("backup.restore"));
  const restoreForm = h(
    "form",
    {
      class: "stack card",
      onsubmit: (event) => {
        event.preventDefault();
        const form = new FormData();
        form.append("file", file.input.files[0]);
        form.append("passphrase", restorePass.input.value);
        busy(restore, async () => {
          const result = await postForm("/api/wallet/restore", form);
          replace(restoreOut, h("p", { role: "status", class: "success" }, t("backup.restored", { imported: result.imported ?? 0, duplicates: result.duplicates ?? 0 })));
        }, restoreOut);
      },
    },
    h("h2", {}, t("backup.restore-title")),
    h("p", {}, t("backup.restore-explain")),
    file.wrap,
    restorePass.wrap,
    restoreOut,
    restore,
  );
  return page(t("backup.title"), out, backupForm, restoreForm);
}

async function workerVersion() {
  const controller = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!controller) return "";
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data.version || "");
    controller.postMessage({ type: "version" }, [channel.port2]);
    setTimeout(() => resolve(""), 1000);
  });
}

export async function settings() {
  const user = await currentUser();
  const out = outlet();
  const lang = h("select", { id: "settings-lang" }, Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, lang: code, selected: code === language() }, name)));
  lang.addEventListener("change", async () => {
    await useLanguage(lang.value);
    window.dispatchEvent(new Event("satchel:language"));
  });
  const signOut = h("button", {
    type: "button",
    class: "danger",
    onclick: () =>
      busy(signOut, async () => {
        await post("/api/wallet/logout", {}).catch(() => {});
        await clearOfflineData();
        state.user = null;
        location.hash = "#/";
      }, out),
  }, t("settings.signout"));
  const forget = h("button", { type: "button", class: "secondary", onclick: async () => { await clearOfflineData(); toast(t("settings.forgotten")); } }, t("settings.forget"));
  const addPasskey = user && passkeysAvailable()
    ? h("button", { type: "button", class: "secondary", onclick: (e) => busy(e.currentTarget, async () => { await passkeyRegister(); toast(t("settings.passkey-added")); }, out) }, t("settings.passkey-add"))
    : null;
  const version = h("span", { class: "mono" }, "…");
  workerVersion().then((v) => (version.textContent = v || t("settings.no-worker")));
  const update = h("button", {
    type: "button",
    class: "secondary",
    onclick: async () => {
      const registration = navigator.serviceWorker && (await navigator.serviceWorker.getRegistration());
      if (registration) await registration.update();
      toast(t("settings.checked-update"));
    },
  }, t("settings.check-update"));
  return page(
    t("settings.title"),
    h("section", { class: "card stack" }, h("h2", {}, t("settings.language")), h("div", { class: "field" }, h("label", { for: "settings-lang" }, t("settings.language")), lang)),
    user
      ? h("section", { class: "card stack" }, h("h2", {}, t("settings.account")), h("p", {}, t("settings.signed-in-as", { name: user.username })), user.did ? copyField(t("settings.did"), user.did) : null, addPasskey, h("a", { href: "#/backup" }, t("backup.title")))
      : h("section", { class: "card" }, h("p", {}, t("settings.signed-out")), h("a", { href: "#/signin", class: "button primary" }, t("auth.signin"))),
    h("section", { class: "card stack" }, h("h2", {}, t("settings.device")), h("p", {}, t("settings.offline-explain")), forget),
    h("section", { class: "card stack" }, h("h2", {}, t("settings.about")), h("p", {}, t("settings.version"), " ", version), update),
    out,
    user ? actions(signOut) : null,
  );
}
