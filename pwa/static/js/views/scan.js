// The one scanner: read a QR code, show what it says, then let the person choose what to do.

import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { classify, scanner } from "../scanner.js";
import { currentUser, state } from "../state.js";
import { actions, busy, outlet, page } from "../ui.js";
import { payloadPreview, submitImport } from "./imports.js";
import { openRequest } from "./requests.js";

async function choices(payload, out) {
  const kind = classify(payload);
  const user = await currentUser();
  const buttons = [];
  const signInFirst = (labelKey) =>
    h("button", { type: "button", class: "primary", onclick: () => { state.afterSignIn = "#/scan"; state.resumeScan = payload; location.hash = "#/signin"; } }, t(labelKey));
  if (kind === "offer") {
    if (user) {
      const add = h("button", { type: "button", class: "primary", onclick: () => busy(add, () => submitImport({ payload }, out), out) }, t("scan.add-offer"));
      buttons.push(add);
    } else buttons.push(signInFirst("scan.signin-to-add"));
  } else if (kind === "request") {
    if (user) {
      const answer = h("button", { type: "button", class: "primary", onclick: () => busy(answer, () => openRequest(payload), out) }, t("scan.answer"));
      buttons.push(answer);
    } else buttons.push(signInFirst("scan.signin-to-answer"));
  } else if (kind !== "text") {
    buttons.push(h("button", { type: "button", class: "primary", onclick: () => { state.scanned = payload; location.hash = "#/verify?from=scan"; } }, t("scan.verify")));
    if (user) {
      const add = h("button", { type: "button", class: "secondary", onclick: () => busy(add, () => submitImport({ payload }, out), out) }, t("scan.add"));
      buttons.push(add);
    }
  }
  return [h("h2", {}, t("scan.found")), payloadPreview(payload), kind === "text" ? h("p", { class: "warning" }, t("scan.unknown")) : null, out, buttons.length ? actions(...buttons) : null];
}

export async function scanScreen() {
  const result = h("div", { id: "scan-result", "aria-live": "polite" });
  const out = outlet();
  const show = async (payload) => {
    state.scanned = payload;
    replace(result, ...(await choices(payload, out)));
    widget.unstick();
    const heading = result.querySelector("h2");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  };
  const widget = scanner({ onPayload: show });
  const typed = h("input", { type: "text", id: "scan-typed", class: "mono", spellcheck: "false", autocapitalize: "none" });
  const typedSubmit = h("button", { type: "submit", class: "secondary" }, t("scan.use-text"));
  const manual = h(
    "details",
    { class: "card" },
    h("summary", {}, t("scan.type-instead")),
    h("form", { class: "stack", onsubmit: (event) => { event.preventDefault(); if (typed.value.trim()) show(typed.value.trim()); } }, h("div", { class: "field" }, h("label", { for: "scan-typed" }, t("scan.typed")), typed), typedSubmit),
  );
  const section = page(t("scan.title"), h("p", { class: "lead" }, t("scan.lead")), widget, manual, result);
  section.teardown = () => widget.stop();
  if (state.resumeScan && (await currentUser())) {
    const pending = state.resumeScan;
    state.resumeScan = "";
    queueMicrotask(() => show(pending));
  }
  return section;
}
