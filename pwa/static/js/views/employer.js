// The employer's side: verify (scan, paste, upload, link), a live verification request,
// career-fair mode, and the share page a learner's link opens.

import { ApiError, post, postForm, request } from "../api.js";
import { credentialObject, renderCredential } from "../credential.js";
import { bdi, download, field, h, replace, svgImage } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { renderReport, reportTitle, verdictOf } from "../report.js";
import { classify, scanner } from "../scanner.js";
import { state } from "../state.js";
import { actions, busy, confirmDialog, errorBox, errorText, linkButton, outlet, page, segmented, statusBadge } from "../ui.js";
import { payloadPreview } from "./imports.js";

function isPresentation(doc) {
  const types = Array.isArray(doc.type) ? doc.type : [doc.type];
  return types.includes("VerifiablePresentation");
}

/** The verify API body for a scanned or pasted payload. */
export function verifyBody(payload) {
  const text = String(payload).trim();
  const kind = classify(text);
  if (kind === "share" || kind === "url") return { url: text };
  if (kind === "jwt") return { jwt: text };
  if (kind === "json") {
    let doc;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(t("verify.not-json"));
    }
    return isPresentation(doc) ? { presentation: doc } : { credential: doc };
  }
  throw new Error(t("verify.not-credential"));
}

/** POST /api/verifier/verify (JSON body or multipart form) with a signed receipt. */
export async function verifyRemote(body) {
  if (body instanceof FormData) {
    body.append("receipt", "true");
    return postForm("/api/verifier/verify", body);
  }
  return post("/api/verifier/verify", { ...body, receipt: true });
}

function resultView(result) {
  return renderReport(result.report, { receipt: result.receipt });
}

function pasteForm(out) {
  const area = h("textarea", { rows: "8", id: "verify-text", class: "mono", spellcheck: "false", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("verify.submit"));
  return h("form", { class: "stack", onsubmit: (e) => { e.preventDefault(); busy(submit, async () => replace(out, resultView(await verifyRemote(verifyBody(area.value)))), out); } }, field(t("verify.paste"), area, t("verify.paste-hint")).wrap, actions(submit));
}

function uploadForm(out) {
  const input = h("input", { type: "file", accept: ".json,.jsonld,.jwt,.txt,.png,.svg,application/json,image/png,image/svg+xml", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("verify.submit"));
  return h("form", { class: "stack", onsubmit: (e) => { e.preventDefault(); const form = new FormData(); form.append("file", input.files[0]); busy(submit, async () => replace(out, resultView(await verifyRemote(form))), out); } }, field(t("verify.file"), input, t("verify.file-hint")).wrap, actions(submit));
}

function urlForm(out) {
  const input = h("input", { type: "url", required: true, inputmode: "url", placeholder: "https://" });
  const submit = h("button", { type: "submit", class: "primary" }, t("verify.submit"));
  return h("form", { class: "stack", onsubmit: (e) => { e.preventDefault(); busy(submit, async () => replace(out, resultView(await verifyRemote({ url: input.value.trim() }))), out); } }, field(t("verify.url"), input, t("verify.url-hint")).wrap, actions(submit));
}

function scanForm(out) {
  const shown = h("div");
  const widget = scanner({
    onPayload: (payload) => {
      const go = h("button", { type: "button", class: "primary", onclick: () => busy(go, async () => replace(out, resultView(await verifyRemote(verifyBody(payload)))), out) }, t("verify.submit"));
      replace(shown, payloadPreview(payload), actions(go));
      widget.unstick();
    },
  });
  const wrap = h("div", { class: "stack" }, widget, shown);
  wrap.teardown = () => widget.stop();
  return wrap;
}

export async function verifyScreen({ query }) {
  const out = outlet({ id: "verify-result" });
  const holder = h("div", { class: "tab-panel" });
  const show = (kind) => {
    const prev = holder.firstElementChild;
    if (prev && prev.teardown) prev.teardown();
    out.replaceChildren();
    replace(holder, { scan: scanForm, paste: pasteForm, upload: uploadForm, url: urlForm }[kind](out));
  };
  const fromScan = query.get("from") === "scan" && state.scanned;
  const initial = fromScan ? "paste" : query.get("via") || "scan";
  const choice = segmented(t("verify.how"), [["scan", t("verify.tab-scan")], ["paste", t("verify.tab-paste")], ["upload", t("verify.tab-upload")], ["url", t("verify.tab-url")]], initial, show);
  show(initial);
  const section = page(
    t("verify.title"),
    h("p", { class: "lead" }, t("verify.lead")),
    h("p", { class: "row wrap" }, linkButton("#/verify/request", t("vrequest.title"), "button secondary"), linkButton("#/fair", t("fair.title"), "button secondary")),
    choice,
    holder,
    out,
  );
  section.teardown = () => {
    const prev = holder.firstElementChild;
    if (prev && prev.teardown) prev.teardown();
  };
  if (fromScan) {
    const payload = state.scanned;
    state.scanned = "";
    const area = holder.querySelector("textarea");
    if (area) area.value = payload;
    queueMicrotask(async () => {
      try {
        replace(out, resultView(await verifyRemote(verifyBody(payload))));
      } catch (error) {
        replace(out, errorBox(error));
      }
    });
  }
  return section;
}

// --- a verification request the learner answers from their own phone ------------------------

const REQUEST_TYPES = [
  ["OpenBadgeCredential", "vrequest.type-badge"],
  ["ClrCredential", "vrequest.type-clr"],
  ["", "vrequest.type-any"],
];

function watchRequest(created, statusEl, resultEl, onDone) {
  let source = null;
  let poll = 0;
  let finished = false;
  const update = (data) => {
    if (finished || !data || !data.state) return;
    statusEl.replaceChildren(h("span", { class: `pill pill-${data.state}` }, t(`vrequest.state.${data.state}`)));
    if (data.state === "verified" || data.state === "failed" || data.state === "expired") {
      finished = true;
      stop();
      if (data.report) replace(resultEl, renderReport(data.report, { receipt: data.receipt }));
      else if (data.state === "expired") replace(resultEl, h("p", { class: "warning" }, t("vrequest.expired")));
      onDone(data);
    }
  };
  const stop = () => {
    if (source) source.close();
    source = null;
    clearInterval(poll);
  };
  const startPolling = () => {
    if (poll) return;
    poll = setInterval(async () => {
      try {
        update((await request("GET", created.status_url)).data);
      } catch {
        /* keep trying while the page is open */
      }
    }, 3000);
  };
  if (window.EventSource && created.events_url) {
    source = new EventSource(created.events_url);
    source.addEventListener("state", (event) => {
      try {
        update(JSON.parse(event.data));
      } catch {
        /* ignore a malformed event */
      }
    });
    source.onerror = () => {
      if (source && source.readyState === EventSource.CLOSED) startPolling();
    };
  } else startPolling();
  return stop;
}

export async function requestScreen() {
  const out = outlet();
  const live = h("div", { id: "request-live" });
  const result = h("div", { id: "request-result", "aria-live": "polite" });
  let stopWatching = () => {};
  const type = h("select", { id: "vreq-type" }, REQUEST_TYPES.map(([value, key]) => h("option", { value }, t(key))));
  const purpose = h("input", { type: "text", id: "vreq-purpose", value: t("vrequest.default-purpose") });
  const submit = h("button", { type: "submit", class: "primary" }, t("vrequest.create"));
  const form = h(
    "form",
    {
      class: "stack",
      onsubmit: (e) => {
        e.preventDefault();
        busy(submit, async () => {
          stopWatching();
          const body = { purpose: purpose.value.trim() };
          if (type.value) body.types = [type.value];
          const created = await post("/api/verifier/requests", body);
          const status = h("p", { class: "request-status", role: "status" }, h("span", { class: "pill pill-pending" }, t("vrequest.state.pending")));
          const codes = created.qr_svg || {};
          const qrHolder = h("div", {});
          const showQr = (kind) => replace(qrHolder, codes[kind] ? svgImage(codes[kind], t("vrequest.qr-alt"), { class: "qr-large", id: "request-qr" }) : null);
          const initial = codes.interaction ? "interaction" : "openid4vp";
          showQr(initial);
          const protocols = [["interaction", t("vrequest.wallet-satchel")], ["openid4vp", t("vrequest.wallet-oid4vp")]].filter(([k]) => codes[k]);
          replace(
            live,
            h(
              "div",
              { class: "card request-card" },
              h("h2", {}, t("vrequest.show")),
              protocols.length > 1 ? segmented(t("vrequest.wallet-kind"), protocols, initial, showQr) : null,
              qrHolder,
              h("p", { class: "hint" }, t("vrequest.expires", { time: formatDate(created.expires_at, true) })),
              status,
              h("details", {}, h("summary", {}, t("vrequest.same-device")), h("p", {}, h("a", { href: created.openid4vp_uri }, t("vrequest.open-wallet"))), h("p", { class: "mono break" }, created.openid4vp_uri)),
            ),
          );
          result.replaceChildren();
          stopWatching = watchRequest(created, status, result, () => {});
          form.hidden = true;
          again.hidden = false;
        }, out);
      },
    },
    h("div", { class: "field" }, h("label", { for: "vreq-type" }, t("vrequest.what")), type),
    h("div", { class: "field" }, h("label", { for: "vreq-purpose" }, t("vrequest.purpose")), purpose),
    out,
    actions(submit),
  );
  const again = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => { stopWatching(); live.replaceChildren(); result.replaceChildren(); form.hidden = false; again.hidden = true; } }, t("vrequest.new"));
  const section = page(t("vrequest.title"), h("p", { class: "lead" }, t("vrequest.lead")), form, live, result, again);
  section.teardown = () => stopWatching();
  return section;
}

// --- career-fair mode: many scans in a row, a list, CSV export ------------------------------

const FAIR = "satchel.fair";
const readFair = () => JSON.parse(localStorage.getItem(FAIR) || "[]");
const writeFair = (rows) => localStorage.setItem(FAIR, JSON.stringify(rows));

/** A CSV cell: quoted, and never a formula when opened in a spreadsheet. */
export function csvCell(value) {
  let text = String(value ?? "");
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function fairCsv(rows) {
  const header = ["time", "verdict", "achievement", "issuer", "issuer_id", "learner", "note"];
  const lines = [header.map(csvCell).join(",")];
  for (const r of rows) lines.push([r.at, r.verdict, r.achievement, r.issuer, r.issuer_id, r.learner, r.note].map(csvCell).join(","));
  return lines.join("\r\n") + "\r\n";
}

export async function fairScreen() {
  const tbody = h("tbody");
  const count = h("p", { "aria-live": "polite" });
  const draw = () => {
    const rows = readFair();
    count.textContent = t("fair.count", { count: rows.length });
    replace(tbody, rows.slice().reverse().map((r) => h("tr", {}, h("td", {}, formatDate(r.at, true)), h("td", {}, statusBadge(r.verdict)), h("td", {}, bdi(r.achievement || r.note || "")), h("td", {}, bdi(r.learner || "")), h("td", {}, bdi(r.issuer || "")))));
  };
  const handle = async (payload) => {
    const row = { at: new Date().toISOString(), verdict: "unchecked", achievement: "", issuer: "", issuer_id: "", learner: "", note: "" };
    try {
      const result = await verifyRemote(verifyBody(payload));
      const s = result.report.summary || {};
      const first = (result.report.nested || [])[0];
      const inner = (first && first.summary) || {};
      Object.assign(row, { verdict: verdictOf(result.report), achievement: reportTitle(result.report), issuer: s.issuer_name || inner.issuer_name || "", issuer_id: s.issuer_id || inner.issuer_id || "", learner: s.subject_name || inner.subject_name || s.holder || "" });
    } catch (error) {
      row.note = errorText(error);
    }
    writeFair([...readFair(), row]);
    draw();
  };
  const widget = scanner({ onPayload: handle, continuous: true, sticky: false });
  const exportButton = h("button", { type: "button", class: "primary", onclick: () => download(new Blob([fairCsv(readFair())], { type: "text/csv" }), `satchel-career-fair-${new Date().toISOString().slice(0, 10)}.csv`) }, t("fair.export"));
  const clear = h("button", { type: "button", class: "secondary", onclick: async () => { if (await confirmDialog(t("fair.clear-title"), t("fair.clear-text"), t("fair.clear"))) { writeFair([]); draw(); } } }, t("fair.clear"));
  draw();
  const section = page(
    t("fair.title"),
    h("p", { class: "lead" }, t("fair.lead")),
    widget,
    count,
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("fair.title") }, h("table", { class: "fair" }, h("caption", { class: "visually-hidden" }, t("fair.title")), h("thead", {}, h("tr", {}, ["fair.time", "fair.verdict", "fair.achievement", "fair.learner", "fair.issuer"].map((k) => h("th", { scope: "col" }, t(k))))), tbody)),
    actions(exportButton, clear),
  );
  section.teardown = () => widget.stop();
  return section;
}

// --- the page a learner's share link opens -------------------------------------------------

function sharedCredentials(presentation) {
  const vp = credentialObject(presentation);
  const items = Array.isArray(vp.verifiableCredential) ? vp.verifiableCredential : vp.verifiableCredential ? [vp.verifiableCredential] : [];
  return items;
}

export async function sharePage({ params }) {
  const out = outlet({ id: "share-report" });
  const body = h("div", { class: "stack" });
  let presentation = null;
  const check = async () => {
    const verifyBodyFor = typeof presentation === "string" ? { jwt: presentation } : { presentation };
    replace(out, renderReport((await verifyRemote(verifyBodyFor)).report));
  };
  const again = h("button", { type: "button", class: "primary", onclick: () => busy(again, check, out) }, t("sharepage.recheck"));
  try {
    presentation = (await request("GET", `/s/${encodeURIComponent(params.token)}`)).data;
  } catch (error) {
    const gone = error instanceof ApiError && (error.status === 404 || error.status === 410);
    return page(t("sharepage.title"), h("p", { class: "error", role: "alert" }, gone ? t("sharepage.gone") : errorText(error)));
  }
  const credentials = sharedCredentials(presentation);
  replace(body, h("h2", {}, t("sharepage.contents", { count: credentials.length })), credentials.map((c) => h("details", { class: "card" }, h("summary", {}, renderCredentialName(c)), renderCredential(c))));
  try {
    await check();
  } catch (error) {
    replace(out, errorBox(error));
  }
  return page(t("sharepage.title"), h("p", { class: "lead" }, t("sharepage.lead")), out, body, actions(again, linkButton("#/verify", t("sharepage.verify-other"), "button secondary")));
}

function renderCredentialName(credential) {
  const vc = credentialObject(credential);
  const subject = Array.isArray(vc.credentialSubject) ? vc.credentialSubject[0] || {} : vc.credentialSubject || {};
  const achievement = subject.achievement || {};
  return bdi(achievement.name || vc.name || t("credential.untitled"));
}

