// Career services: the sandbox issuer (a demo badge offered by QR, then revoked).

import { request } from "../api.js";
import { bdi, h, replace, svgImage } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { actions, busy, confirmDialog, copyField, errorBox, outlet, page, statusBadge, toast } from "../ui.js";

const TOKEN = "satchel.issuerToken";

function issuerHeaders() {
  const token = sessionStorage.getItem(TOKEN);
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function call(method, path, json) {
  return (await request(method, path, { json, headers: issuerHeaders() })).data;
}

function issuedRow(item, redraw) {
  const out = outlet();
  const act = (action, labelKey, cls = "secondary") => {
    const button = h("button", {
      type: "button",
      class: `${cls} small`,
      onclick: async () => {
        if (action === "revoke" && !(await confirmDialog(t("career.revoke-title"), t("career.revoke-text"), t("career.revoke")))) return;
        await busy(button, async () => {
          await call("POST", `/api/issuer/credentials/${encodeURIComponent(item.id)}/${action}`, {});
          toast(t({ revoke: "career.revoked", suspend: "career.suspended", unsuspend: "career.unsuspended" }[action]));
          await redraw();
        }, out);
      },
    }, t(labelKey));
    return button;
  };
  const recipient = item.recipient || {};
  const state = item.status === "active" ? "valid" : item.status;
  return h(
    "li",
    { class: "card issued", "data-record-id": item.id },
    h("p", {}, h("strong", {}, bdi(item.template_name || item.template || "")), " ", statusBadge(state)),
    h("p", { class: "hint" }, t("career.issued-to", { who: recipient.name || recipient.email || recipient.did || t("career.anyone") }), " · ", formatDate(item.issued_at, true)),
    item.status === "revoked"
      ? null
      : h("div", { class: "row wrap" }, item.status === "suspended" ? act("unsuspend", "career.unsuspend") : act("suspend", "career.suspend"), act("revoke", "career.revoke", "danger")),
    out,
  );
}

export async function sandbox() {
  const out = outlet();
  const offerHolder = h("div", { id: "offer", "aria-live": "polite" });
  const issuedList = h("ul", { class: "cards", id: "issued-list" });
  const tokenInput = h("input", { type: "password", id: "issuer-token", autocomplete: "off", value: sessionStorage.getItem(TOKEN) || "" });
  const tokenSave = h("button", {
    type: "submit",
    class: "secondary",
  }, t("career.token-save"));
  const tokenForm = h("form", {
    class: "stack",
    onsubmit: (e) => {
      e.preventDefault();
      if (tokenInput.value) sessionStorage.setItem(TOKEN, tokenInput.value);
      else sessionStorage.removeItem(TOKEN);
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    },
  }, h("div", { class: "field" }, h("label", { for: "issuer-token" }, t("career.token-label")), tokenInput), h("p", { class: "hint" }, t("career.token-hint")), tokenSave);
  let templates = [];
  let loadError = null;
  try {
    templates = await call("GET", "/api/issuer/templates");
  } catch (error) {
    loadError = errorBox(error);
  }
  const template = h("select", { id: "career-template" }, templates.map((tpl) => h("option", { value: tpl.id }, tpl.name)));
  const name = h("input", { type: "text", id: "career-name", autocomplete: "off" });
  const email = h("input", { type: "email", id: "career-email", autocomplete: "off" });
  const pin = h("input", { type: "checkbox", id: "career-pin" });

  const redraw = async () => {
    try {
      const items = await call("GET", "/api/issuer/credentials");
      const names = new Map(templates.map((tpl) => [tpl.id, tpl.name]));
      replace(issuedList, items.length ? items.slice().reverse().map((item) => issuedRow({ ...item, template_name: names.get(item.template) }, redraw)) : h("li", { class: "hint" }, t("career.none")));
    } catch (error) {
      replace(issuedList, h("li", {}, errorBox(error)));
    }
  };

  const submit = h("button", { type: "submit", class: "primary" }, t("career.offer"));
  const form = h(
    "form",
    {
      class: "stack card",
      onsubmit: (e) => {
        e.preventDefault();
        busy(submit, async () => {
          const recipient = {};
          if (name.value.trim()) recipient.name = name.value.trim();
          if (email.value.trim()) recipient.email = email.value.trim();
          const body = { template: template.value, tx_code: pin.checked };
          if (Object.keys(recipient).length) body.recipient = recipient;
          const offer = await call("POST", "/api/issuer/offers", body);
          replace(
            offerHolder,
            h(
              "div",
              { class: "card offer-card" },
              h("h2", {}, t("career.offer-ready")),
              h("p", {}, t("career.offer-scan")),
              svgImage(offer.qr_svg, t("career.offer-qr-alt"), { class: "qr-large", id: "offer-qr" }),
              offer.tx_code ? h("p", { class: "pin" }, t("career.pin"), " ", h("strong", { class: "mono" }, offer.tx_code)) : null,
              h("p", { class: "hint" }, t("career.offer-expires", { time: formatDate(offer.expires_at, true) })),
              copyField(t("career.offer-link"), offer.offer_uri),
            ),
          );
          offerHolder.querySelector("h2").tabIndex = -1;
          offerHolder.querySelector("h2").focus();
          await redraw();
        }, out);
      },
    },
    h("h2", {}, t("career.new")),
    h("div", { class: "field" }, h("label", { for: "career-template" }, t("career.template")), template),
    h("div", { class: "field" }, h("label", { for: "career-name" }, t("career.learner-name")), name),
    h("div", { class: "field" }, h("label", { for: "career-email" }, t("career.learner-email")), email),
    h("p", { class: "check-inline" }, pin, h("label", { for: "career-pin" }, t("career.use-pin"))),
    out,
    actions(submit),
  );
  await redraw();
  return page(
    t("career.title"),
    h("p", { class: "lead" }, t("career.lead")),
    loadError,
    h("details", { class: "card", open: !sessionStorage.getItem(TOKEN) }, h("summary", {}, t("career.token")), tokenForm),
    form,
    offerHolder,
    h("section", {}, h("div", { class: "row wrap" }, h("h2", {}, t("career.issued")), h("button", { type: "button", class: "secondary small", id: "issued-refresh", onclick: (e) => busy(e.currentTarget, redraw) }, t("career.refresh"))), issuedList),
  );
}
