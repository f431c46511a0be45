// Answering a verifier's request: who asks, for what, why; the learner picks and consents.

import { del, get, post } from "../api.js";
import { bdi, h, newId, replace } from "../dom.js";
import { t } from "../i18n.js";
import { issuerLine } from "../report.js";
import { state } from "../state.js";
import { actions, busy, errorBox, linkButton, outlet, page } from "../ui.js";

/** Ask the wallet to read a scanned request, then open the answer screen. */
export async function openRequest(payload) {
  const request = await post("/api/wallet/requests", { payload });
  state.requests.set(String(request.id), { ...request, payload });
  location.hash = `#/request/${encodeURIComponent(request.id)}`;
}

function verifierOf(request) {
  const v = request.verifier;
  if (v && typeof v === "object") return { name: v.name || v.client_name || "", id: v.id || v.client_id || v.domain || "" };
  return { name: "", id: typeof v === "string" ? v : "" };
}

function wantedText(wanted) {
  const items = Array.isArray(wanted) ? wanted : wanted ? [wanted] : [];
  return items
    .map((w) => {
      if (typeof w === "string") return w;
      let types = w.types ?? w.type ?? [];
      if (!Array.isArray(types)) types = [types];
      if (types.length > 1 && types.every((x) => typeof x === "string" && x.length === 1)) types = [types.join("")];
      types = types.filter((x) => x !== "VerifiableCredential");
      const what = w.name || types.join(", ") || t("answer.any-credential");
      return w.reason ? `${what} (${w.reason})` : what;
    })
    .join("; ");
}

function matchLabel(match, byId) {
  const id = String(typeof match === "string" ? match : match.id);
  const item = byId.get(id) || (typeof match === "object" ? match : {});
  const s = item.summary || {};
  return { id, name: item.name || s.achievement_name || id, summary: s };
}

export async function answer({ params }) {
  let request = state.requests.get(params.id);
  if (!request) {
    try {
      request = await get(`/api/wallet/requests/${encodeURIComponent(params.id)}`);
    } catch {
      return page(t("answer.title"), h("p", {}, t("answer.gone")), linkButton("#/scan", t("nav.scan")));
    }
  }
  const verifier = verifierOf(request);
  const items = await get("/api/wallet/credentials");
  const byId = new Map(items.map((item) => [String(item.id), item]));
  const matches = (request.matches || []).map((m) => matchLabel(m, byId));
  const out = outlet();
  const boxes = matches.map((m, index) => {
    const id = newId("match");
    return { m, box: h("input", { type: "checkbox", id, value: m.id, checked: index === 0 && matches.length === 1 }), id };
  });
  const consent = h("input", { type: "checkbox", id: "answer-consent" });
  const send = h("button", { type: "submit", class: "primary" }, t("answer.send"));
  const decline = h("button", {
    type: "button",
    class: "secondary",
    onclick: () =>
      busy(decline, async () => {
        await del(`/api/wallet/requests/${encodeURIComponent(params.id)}`);
        state.requests.delete(params.id);
        location.hash = "#/wallet";
      }, out),
  }, t("answer.decline"));
  const form = h(
    "form",
    {
      class: "stack",
      onsubmit: (event) => {
        event.preventDefault();
        const ids = boxes.filter((b) => b.box.checked).map((b) => b.m.id);
        if (!ids.length) return replace(out, errorBox(new Error(t("answer.pick-one"))));
        if (!consent.checked) return replace(out, errorBox(new Error(t("answer.need-consent"))));
        return busy(send, async () => {
          await post(`/api/wallet/requests/${encodeURIComponent(params.id)}/respond`, { credential_ids: ids, consent: true });
          state.requests.delete(params.id);
          replace(form, h("div", { class: "card success", role: "status" }, h("p", {}, h("strong", {}, t("answer.sent"))), h("p", {}, t("answer.sent-text"))), linkButton("#/wallet", t("nav.wallet"), "button primary"));
        }, out);
      },
    },
    h("fieldset", {}, h("legend", {}, t("answer.choose")), matches.length ? h("ul", { class: "pick-list" }, boxes.map((b) => h("li", { class: "pick" }, b.box, h("label", { for: b.id }, bdi(b.m.name), b.m.summary ? h("span", { class: "hint block" }, issuerLine(b.m.summary.issuer_name, b.m.summary.issuer_id)) : null)))) : h("p", { class: "warning" }, t("answer.no-match"))),
    h("p", { class: "check-inline consent" }, consent, h("label", { for: "answer-consent" }, t("answer.consent", { verifier: verifier.name || verifier.id || t("answer.this-verifier") }))),
    out,
    actions(send, decline),
  );
  return page(
    t("answer.title"),
    h(
      "div",
      { class: "card" },
      h("p", {}, h("strong", {}, t("answer.who")), " ", issuerLine(verifier.name, verifier.id) ),
      request.purpose ? h("p", {}, h("strong", {}, t("answer.why")), " ", bdi(request.purpose)) : null,
      h("p", {}, h("strong", {}, t("answer.what")), " ", bdi(wantedText(request.wanted) || t("answer.anything"))),
    ),
    form,
  );
}
