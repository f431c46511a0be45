// Bringing credentials in (file, paste, link, scan, offer) and the foyer where they arrive:
// the learner sees what came in and what the checks say before keeping it.

import { ApiError, del, post, postForm } from "../api.js";
import { bdi, field, h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { issuerLine, renderReport, verdictOf } from "../report.js";
import { classify, payloadHost, scanner } from "../scanner.js";
import { state } from "../state.js";
import { actions, busy, errorText, outlet, page, segmented, statusBadge } from "../ui.js";

/** Send an import and go to the foyer; asks for a transaction code when the offer needs one. */
export async function submitImport(body, out) {
  let result;
  try {
    result = body instanceof FormData ? await postForm("/api/wallet/imports", body) : await post("/api/wallet/imports", body);
  } catch (error) {
    if (error instanceof ApiError && /tx[-_]?code/i.test(error.code) && !(body instanceof FormData) && !body.tx_code) {
      replace(out, txCodeForm(body, out));
      return;
    }
    if (error instanceof ApiError && error.code === "import.not-verified") {
      replace(out, notVerified(body, out, error));
      return;
    }
    throw error;
  }
  state.imports.set(String(result.id), result);
  location.hash = `#/foyer/${encodeURIComponent(result.id)}`;
}

/** The credential did not verify: say why, and let the learner keep it anyway, marked so. */
function notVerified(body, out, error) {
  const errors = outlet();
  const keep = h("button", {
    type: "button",
    class: "secondary",
    onclick: () =>
      busy(keep, () => {
        let again = body;
        if (body instanceof FormData) body.set("keep_unverified", "true");
        else again = { ...body, keep_unverified: true };
        return submitImport(again, errors);
      }, errors),
  }, t("import.keep-anyway"));
  return h(
    "div",
    { class: "stack" },
    h("p", { class: "warning", role: "alert" }, errorText(error)),
    error.problem.report ? renderReport(error.problem.report, { heading: "h3" }) : null,
    errors,
    keep,
  );
}

function txCodeForm(body, out) {
  const code = field(t("import.tx-code"), h("input", { type: "text", inputmode: "numeric", autocomplete: "one-time-code", required: true }), t("import.tx-code-hint"));
  const submit = h("button", { type: "submit", class: "primary" }, t("import.continue"));
  const errors = outlet();
  return h(
    "form",
    {
      class: "stack card",
      onsubmit: (event) => {
        event.preventDefault();
        busy(submit, () => submitImport({ ...body, tx_code: code.input.value.trim() }, errors), errors);
      },
    },
    code.wrap,
    errors,
    submit,
  );
}

/** What a scanned payload is, shown before anything is followed. */
export function payloadPreview(payload) {
  const kind = classify(payload);
  const host = payloadHost(payload);
  return h(
    "div",
    { class: "payload card" },
    h("p", {}, h("strong", {}, t(`payload.${kind}`)), host ? [" — ", t("payload.host", { host })] : null),
    h("pre", { class: "payload-text", tabindex: "0" }, h("code", {}, payload)),
  );
}

function fileForm(out) {
  const input = h("input", { type: "file", name: "file", accept: ".json,.jsonld,.jwt,.txt,.png,.svg,application/json,image/png,image/svg+xml", required: true });
  const f = field(t("import.file"), input, t("import.file-hint"));
  const submit = h("button", { type: "submit", class: "primary" }, t("import.submit"));
  return h("form", {
    class: "stack",
    onsubmit: (event) => {
      event.preventDefault();
      const form = new FormData();
      if (!input.files[0]) return;
      form.append("file", input.files[0]);
      busy(submit, () => submitImport(form, out), out);
    },
  }, f.wrap, actions(submit));
}

function pasteForm(out) {
  const area = h("textarea", { rows: "8", name: "text", required: true, spellcheck: "false", class: "mono" });
  const f = field(t("import.paste"), area, t("import.paste-hint"));
  const submit = h("button", { type: "submit", class: "primary" }, t("import.submit"));
  return h("form", { class: "stack", onsubmit: (event) => { event.preventDefault(); busy(submit, () => submitImport({ text: area.value }, out), out); } }, f.wrap, actions(submit));
}

function urlForm(out) {
  const input = h("input", { type: "url", name: "url", required: true, inputmode: "url", placeholder: "https://" });
  const f = field(t("import.url"), input, t("import.url-hint"));
  const submit = h("button", { type: "submit", class: "primary" }, t("import.submit"));
  return h("form", { class: "stack", onsubmit: (event) => { event.preventDefault(); busy(submit, () => submitImport({ url: input.value.trim() }, out), out); } }, f.wrap, actions(submit));
}

function offerForm(out) {
  const input = h("input", { type: "text", name: "offer", required: true, class: "mono", spellcheck: "false", autocapitalize: "none" });
  const f = field(t("import.offer"), input, t("import.offer-hint"));
  const code = field(t("import.tx-code-optional"), h("input", { type: "text", inputmode: "numeric", autocomplete: "one-time-code" }));
  const submit = h("button", { type: "submit", class: "primary" }, t("import.submit"));
  return h("form", {
    class: "stack",
    onsubmit: (event) => {
      event.preventDefault();
      const body = { payload: input.value.trim() };
      if (code.input.value.trim()) body.tx_code = code.input.value.trim();
      busy(submit, () => submitImport(body, out), out);
    },
  }, f.wrap, code.wrap, actions(submit));
}

/** Scan, show the payload, then import it on the learner's word. */
export function scanImport(out) {
  const shown = h("div", { "aria-live": "polite" });
  const widget = scanner({
    onPayload: (payload) => {
      state.scanned = payload;
      const go = h("button", { type: "button", class: "primary", onclick: () => busy(go, () => submitImport({ payload }, out), out) }, t("import.this"));
      replace(shown, payloadPreview(payload), actions(go));
      widget.unstick();
    },
  });
  const wrap = h("div", { class: "stack" }, widget, shown);
  wrap.teardown = () => widget.stop();
  return wrap;
}

export async function importScreen({ query }) {
  const out = outlet();
  const holder = h("div", { class: "tab-panel" });
  const show = (kind) => {
    const prev = holder.firstElementChild;
    if (prev && prev.teardown) prev.teardown();
    out.replaceChildren();
    replace(holder, { file: fileForm, paste: pasteForm, url: urlForm, scan: scanImport, offer: offerForm }[kind](out));
  };
  const initial = query.get("via") || "file";
  const choice = segmented(t("import.how"), [["file", t("import.tab-file")], ["paste", t("import.tab-paste")], ["url", t("import.tab-url")], ["scan", t("import.tab-scan")], ["offer", t("import.tab-offer")]], initial, show);
  show(initial);
  const section = page(t("import.title"), h("p", { class: "lead" }, t("import.lead")), choice, holder, out);
  section.teardown = () => {
    const prev = holder.firstElementChild;
    if (prev && prev.teardown) prev.teardown();
  };
  return section;
}

export async function foyer({ params }) {
  const held = state.imports.get(params.id);
  if (!held) {
    return page(t("foyer.title"), h("p", {}, t("foyer.gone")), h("a", { href: "#/import", class: "button" }, t("import.title")));
  }
  const s = held.summary || (held.report && held.report.summary) || {};
  const verdict = verdictOf(held.report);
  const out = outlet();
  const keep = h("button", {
    type: "button",
    class: "primary",
    onclick: () =>
      busy(keep, async () => {
        const body = held.state === "not-verified" ? { keep_unverified: true } : {};
        const result = await post(`/api/wallet/imports/${encodeURIComponent(params.id)}/accept`, body);
        state.imports.delete(params.id);
        location.hash = `#/wallet/${encodeURIComponent(result.credential_id)}`;
      }, out),
  }, t(held.state === "not-verified" ? "foyer.keep-anyway" : "foyer.keep"));
  const discard = h("button", {
    type: "button",
    class: "secondary",
    onclick: () =>
      busy(discard, async () => {
        await del(`/api/wallet/imports/${encodeURIComponent(params.id)}`);
        state.imports.delete(params.id);
        location.hash = "#/wallet";
      }, out),
  }, t("foyer.discard"));
  return page(
    t("foyer.title"),
    h("p", { class: "lead" }, t("foyer.lead")),
    h(
      "div",
      { class: "card arrival" },
      h("p", { class: "arrival-name" }, h("strong", {}, bdi(s.achievement_name || s.subject_name || t("credential.untitled")))),
      h("p", {}, t("foyer.from"), " ", issuerLine(s.issuer_name, s.issuer_id)),
      s.subject_name ? h("p", {}, t("foyer.for"), " ", bdi(s.subject_name)) : null,
      h("p", {}, statusBadge(verdict)),
    ),
    held.duplicate_of ? h("p", { class: "warning", role: "note" }, t("foyer.duplicate"), " ", h("a", { href: `#/wallet/${encodeURIComponent(held.duplicate_of)}` }, t("foyer.see-existing"))) : null,
    verdict !== "verified" ? h("p", { class: "warning", role: "note" }, t("foyer.caution")) : null,
    held.report ? renderReport(held.report) : null,
    out,
    actions(keep, discard),
  );
}

