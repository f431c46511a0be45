// Shares: a signed presentation behind an unguessable link, with expiry, QR, copy, LinkedIn,
// revoke and an access log.

import { del, get, post } from "../api.js";
import { bdi, h, newId, replace, svgImage } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { state } from "../state.js";
import { actions, busy, confirmDialog, copyField, errorBox, linkButton, openDialog, outlet, page, statusBadge, toast } from "../ui.js";

const EXPIRIES = [
  ["1", "shares.expire-1"],
  ["7", "shares.expire-7"],
  ["30", "shares.expire-30"],
  ["365", "shares.expire-365"],
];

function qrImage(share, props) {
  if (share.qr_svg) return svgImage(share.qr_svg, t("shares.qr-alt"), props);
  return h("img", { src: `/api/qr.svg?data=${encodeURIComponent(share.url)}`, alt: t("shares.qr-alt"), ...props });
}

/** Full-screen QR (a modal dialog; Escape or Close returns). */
export function fullScreenQr(share, title) {
  openDialog(title || t("shares.qr-title"), [qrImage(share, { class: "qr-full" }), h("p", { class: "mono break center" }, share.url)], { className: "fullscreen" });
}

function linkedInUrl(share, name) {
  const params = new URLSearchParams({ startTask: "CERTIFICATION_NAME", name: name || t("shares.linkedin-default"), certUrl: share.url });
  return `https://www.linkedin.com/profile/add?${params}`;
}

function isActive(share) {
  if (share.revoked || share.revoked_at || share.state === "revoked") return false;
  return !(share.expires_at && new Date(share.expires_at) < new Date());
}

function shareCard(share, name, onRevoked) {
  const out = outlet();
  const qrButton = h("button", { type: "button", class: "secondary", onclick: () => fullScreenQr(share, name) }, t("shares.qr"));
  const revoke = h("button", {
    type: "button",
    class: "danger",
    onclick: async () => {
      if (!(await confirmDialog(t("shares.revoke-title"), t("shares.revoke-text"), t("shares.revoke")))) return;
      await busy(revoke, async () => {
        await del(`/api/wallet/shares/${encodeURIComponent(share.id)}`);
        toast(t("shares.revoked"));
        if (onRevoked) onRevoked();
      }, out);
    },
  }, t("shares.revoke"));
  const active = isActive(share);
  return h(
    "div",
    { class: "card share-card" },
    h("div", { class: "share-head" }, active ? qrImage(share, { class: "qr-small" }) : null, h("div", {}, name ? h("p", {}, h("strong", {}, bdi(name))) : null, h("p", {}, statusBadge(active ? "valid" : share.expires_at && new Date(share.expires_at) < new Date() ? "expired" : "revoked")), share.expires_at ? h("p", { class: "hint" }, t("shares.expires", { date: formatDate(share.expires_at, true) })) : h("p", { class: "hint" }, t("shares.no-expiry")))),
    active ? copyField(t("shares.link"), share.url) : null,
    active
      ? h("div", { class: "row wrap" }, qrButton, h("a", { class: "button secondary", href: linkedInUrl(share, name), target: "_blank", rel: "noopener noreferrer" }, t("shares.linkedin")), linkButton(`#/shares/${encodeURIComponent(share.id)}`, t("shares.log"), "button secondary"), revoke)
      : linkButton(`#/shares/${encodeURIComponent(share.id)}`, t("shares.log"), "button secondary"),
    out,
  );
}

function createForm(items, onCreated) {
  const preselected = new Set(state.selection);
  const boxes = items.map((item) => {
    const id = newId("share");
    const s = item.summary || {};
    return { item, box: h("input", { type: "checkbox", id, value: String(item.id), checked: preselected.has(String(item.id)) }), label: h("label", { for: id }, bdi(s.achievement_name || s.subject_name || t("credential.untitled"))) };
  });
  const expiry = h("select", { id: "share-expiry", name: "expiry" }, EXPIRIES.map(([days, key]) => h("option", { value: days, selected: days === "30" }, t(key))));
  const out = outlet();
  const submit = h("button", { type: "submit", class: "primary" }, t("shares.create"));
  return h(
    "form",
    {
      class: "stack card",
      onsubmit: (event) => {
        event.preventDefault();
        const ids = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
        if (!ids.length) {
          replace(out, errorBox(new Error(t("shares.pick-one"))));
          return;
        }
        const expiresAt = new Date(Date.now() + Number(expiry.value) * 86_400_000).toISOString();
        busy(submit, async () => {
          const share = await post("/api/wallet/shares", { credential_ids: ids, expires_at: expiresAt });
          state.selection = [];
          const names = boxes.filter((b) => b.box.checked).map((b) => b.label.textContent).join(", ");
          onCreated(share, names);
        }, out);
      },
    },
    h("h2", {}, t("shares.new")),
    h("fieldset", {}, h("legend", {}, t("shares.what")), items.length ? h("ul", { class: "pick-list" }, boxes.map((b) => h("li", { class: "pick" }, b.box, b.label))) : h("p", {}, t("list.empty"))),
    h("div", { class: "field" }, h("label", { for: "share-expiry" }, t("shares.expiry")), expiry),
    out,
    actions(submit),
  );
}

export async function list({ query }) {
  const [items, shares] = await Promise.all([get("/api/wallet/credentials"), get("/api/wallet/shares")]);
  const names = new Map(items.map((item) => [String(item.id), (item.summary || {}).achievement_name || t("credential.untitled")]));
  const created = h("div", { id: "share-created", "aria-live": "polite" });
  const shareName = (share) => (share.credential_ids || []).map((id) => names.get(String(id)) || "").filter(Boolean).join(", ");
  const form = createForm(items, (share, name) => {
    replace(created, h("h2", {}, t("shares.ready")), shareCard(share, name, () => location.reload()));
    const heading = created.querySelector("h2");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  });
  const existing = shares.length
    ? h("ul", { class: "cards" }, shares.map((share) => h("li", {}, shareCard(share, shareName(share), () => window.dispatchEvent(new HashChangeEvent("hashchange"))))))
    : h("p", { class: "hint" }, t("shares.none"));
  return page(t("shares.title"), h("p", { class: "lead" }, t("shares.lead")), query.get("new") || state.selection.length || !shares.length ? form : h("details", { class: "card" }, h("summary", {}, t("shares.new")), form), created, h("h2", {}, t("shares.existing")), existing);
}

export async function detail({ params }) {
  const [shares, log] = await Promise.all([get("/api/wallet/shares"), get(`/api/wallet/shares/${encodeURIComponent(params.id)}/log`)]);
  const share = shares.find((s) => String(s.id) === params.id);
  const entries = Array.isArray(log) ? log : log.entries || [];
  return page(
    t("shares.log-title"),
    share ? shareCard(share, "", () => (location.hash = "#/shares")) : null,
    h("h2", {}, t("shares.accesses", { count: entries.length })),
    entries.length
      ? h("table", { class: "log" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("shares.when")), h("th", { scope: "col" }, t("shares.who")))), h("tbody", {}, entries.map((e) => h("tr", {}, h("td", {}, formatDate(e.at || e.accessed_at || e.time, true)), h("td", {}, bdi(e.user_agent || e.agent || e.verifier || e.ip || "—"))))))
      : h("p", {}, t("shares.no-access")),
    linkButton("#/shares", t("shares.back"), "button secondary"),
  );
}
