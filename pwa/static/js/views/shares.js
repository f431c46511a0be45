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
  return svgImage(share.qr_svg, t("shares.qr-alt"), props);
}

/** Full-screen QR (a modal dialog; Escape or Close returns). */
export function fullScreenQr(share, title) {
  openDialog(title || t("shares.qr-title"), [qrImage(share, { class: "qr-full" }), h("p", { class: "mono break center" }, share.url)], { className: "fullscreen" });
}

function linkedInUrl(share, name) {
  if (share.linkedin_url) return share.linkedin_url;
  const params = new URLSearchParams({ startTask: "CERTIFICATION_NAME", name: name || t("shares.linkedin-default"), certUrl: share.url });
  return `https://www.linkedin.com/profile/add?${params}`;
}

function shareState(share) {
  if (share.revoked_at || share.revoked) return "revoked";
  if (share.expires_at && new Date(share.expires_at) < new Date()) return "expired";
  return share.active === false ? "revoked" : "valid";
}

function revokeButton(share, onRevoked, out) {
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
  return revoke;
}

/** A share just created: the only time its link and QR code exist (the server keeps a hash). */
function newShareCard(share, name) {
  const out = outlet();
  const title = share.title || name;
  return h(
    "div",
    { class: "card share-card" },
    h("div", { class: "share-head" }, qrImage(share, { class: "qr-small" }), h("div", {}, title ? h("p", {}, h("strong", {}, bdi(title))) : null, share.expires_at ? h("p", { class: "hint" }, t("shares.expires", { date: formatDate(share.expires_at, true) })) : h("p", { class: "hint" }, t("shares.no-expiry")))),
    copyField(t("shares.link"), share.url),
    h("p", { class: "hint" }, t("shares.link-once")),
    h(
      "div",
      { class: "row wrap" },
      h("button", { type: "button", class: "secondary", onclick: () => fullScreenQr(share, title) }, t("shares.qr")),
      h("a", { class: "button secondary", href: linkedInUrl(share, title), target: "_blank", rel: "noopener noreferrer" }, t("shares.linkedin")),
      share.print_url ? h("a", { class: "button secondary", href: share.print_url, target: "_blank", rel: "noopener" }, t("shares.print")) : null,
      revokeButton(share, () => (location.hash = "#/shares"), out),
    ),
    out,
  );
}

/** A share in the list: its state, expiry, views, log and revoke. */
function shareRow(share, name, onRevoked) {
  const out = outlet();
  const state = shareState(share);
  return h(
    "div",
    { class: "card share-card" },
    h("p", {}, h("strong", {}, bdi(share.title || name || t("shares.untitled"))), " ", statusBadge(state)),
    h("p", { class: "hint" }, share.created_at ? t("shares.created", { date: formatDate(share.created_at, true) }) + " · " : "", share.expires_at ? t("shares.expires", { date: formatDate(share.expires_at, true) }) : t("shares.no-expiry")),
    h("p", { class: "hint" }, t("shares.views", { count: share.views ?? 0 })),
    h("div", { class: "row wrap" }, linkButton(`#/shares/${encodeURIComponent(share.id)}`, t("shares.log"), "button secondary"), state === "valid" ? revokeButton(share, onRevoked, out) : null),
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
  const names = new Map(items.map((item) => [String(item.id), item.name || (item.summary || {}).achievement_name || t("credential.untitled")]));
  const shareName = (share) => (share.credential_ids || []).map((id) => names.get(String(id)) || "").filter(Boolean).join(", ");
  const existing = h("div", { id: "shares-existing" });
  const refresh = async () => drawExisting(await get("/api/wallet/shares"));
  const drawExisting = (all) =>
    replace(existing, all.length ? h("ul", { class: "cards", id: "share-list" }, all.map((share) => h("li", {}, shareRow(share, shareName(share), refresh)))) : h("p", { class: "hint" }, t("shares.none")));
  drawExisting(shares);
  const created = h("div", { id: "share-created", "aria-live": "polite" });
  const form = createForm(items, async (share, name) => {
    replace(created, h("h2", { tabindex: "-1" }, t("shares.ready")), newShareCard(share, name));
    created.querySelector("h2").focus();
    await refresh();
  });
  const showForm = query.get("new") || state.selection.length || !shares.length;
  return page(t("shares.title"), h("p", { class: "lead" }, t("shares.lead")), showForm ? form : h("details", { class: "card" }, h("summary", {}, t("shares.new")), form), created, h("h2", {}, t("shares.existing")), existing);
}

export async function detail({ params }) {
  const [shares, log] = await Promise.all([get("/api/wallet/shares"), get(`/api/wallet/shares/${encodeURIComponent(params.id)}/log`)]);
  const share = shares.find((s) => String(s.id) === params.id);
  const entries = Array.isArray(log) ? log : [];
  return page(
    t("shares.log-title"),
    share ? shareRow(share, "", () => window.dispatchEvent(new HashChangeEvent("hashchange"))) : null,
    h("h2", {}, t("shares.accesses", { count: entries.length })),
    entries.length
      ? h("table", { class: "log" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("shares.when")), h("th", { scope: "col" }, t("shares.who")))), h("tbody", {}, entries.map((e) => h("tr", {}, h("td", {}, formatDate(e.at, true)), h("td", {}, bdi(e.user_agent || "—"))))))
      : h("p", {}, t("shares.no-access")),
    linkButton("#/shares", t("shares.back"), "button secondary"),
  );
}
