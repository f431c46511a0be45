// A verification report in plain language first, then each check, nested reports as a tree.

import { bdi, h } from "./dom.js";
import { formatDate, t } from "./i18n.js";
import { rawJson, statusBadge } from "./ui.js";

// Failures that mean "we could not find out", not "this is wrong".
const UNAVAILABLE = /^(fetch\.|status\.unavailable|status\.unsupported|did\.unresolvable|schema\.unavailable|proof\.verification-method-unresolvable|network)/;

// Nested reports that are shown but do not decide the verdict (endorsements).
const ADVISORY = new Set(["endorsement"]);

function failures(report) {
  const own = (report.checks || []).filter((c) => c.status === "failed");
  return own.concat(...(report.nested || []).filter((n) => !ADVISORY.has(n.role)).map(failures));
}

// The report's one-word outcome -> what the screen says.
const OUTCOMES = { verified: "verified", invalid: "failed", revoked: "revoked", suspended: "suspended", expired: "expired", "not-yet-valid": "not-yet-valid", "status-unknown": "unchecked" };

// Checks that only say "a nested credential failed": the nested report tells why.
const AGGREGATE_IDS = new Set(["clr-credentials", "nested", "credentials"]);
const isAggregate = (c) => AGGREGATE_IDS.has(c.id) || /nested-failed$/.test(c.code || "");
// Most serious first.
const SEVERITY = ["failed", "revoked", "suspended", "expired", "not-yet-valid", "unchecked", "verified"];

/** "verified" | "failed" | "unchecked" (could not check) | "revoked" | "suspended" | "expired" | "not-yet-valid". */
export function verdictOf(report) {
  if (!report) return "unchecked";
  const given = report.outcome && OUTCOMES[report.outcome];
  if (given === "failed") {
    // "invalid" only because a nested credential failed: say what happened to it (revoked...).
    const own = (report.checks || []).filter((c) => c.status === "failed" && !isAggregate(c));
    const required = (report.nested || []).filter((n) => !ADVISORY.has(n.role));
    const proof = (report.checks || []).some((c) => c.id === "proof" && (c.status === "passed" || c.status === "warning"));
    if (!own.length && proof && required.some((n) => !n.verified)) {
      const worst = required.map(verdictOf).sort((a, b) => SEVERITY.indexOf(a) - SEVERITY.indexOf(b))[0];
      if (worst && worst !== "verified") return worst;
    }
  }
  if (given) return given;
  if (report.verified) return "verified";
  const failed = failures(report);
  const codes = failed.map((c) => c.code || "");
  if (codes.includes("status.revoked")) return "revoked";
  if (codes.includes("status.suspended")) return "suspended";
  if (codes.includes("date.expired")) return "expired";
  if (failed.length && failed.every((c) => UNAVAILABLE.test(c.code || ""))) return "unchecked";
  return "failed";
}

/** Short name of what a report is about. */
export function reportTitle(report) {
  const s = report.summary || {};
  const types = (s.types || []).filter((x) => x !== "VerifiableCredential" && x !== "VerifiablePresentation").join(", ");
  return s.name || s.achievement_name || s.subject_name || types || t(`kind.${report.kind || "unknown"}`);
}

function headline(verdict) {
  return { verified: "verdict.verified", revoked: "verdict.revoked", suspended: "verdict.suspended", expired: "verdict.expired", "not-yet-valid": "verdict.not-yet-valid", unchecked: "verdict.unchecked" }[verdict] || "verdict.failed";
}

/** The plain-language sentence under the verdict. */
function explanation(report, verdict) {
  const s = report.summary || {};
  const issuer = s.issuer_name || s.issuer_id || t("report.unknown-issuer");
  if (verdict === "verified") return t(report.kind === "presentation" ? "explain.verified-presentation" : "explain.verified", { issuer, count: (report.nested || []).length });
  const first = failures(report)[0];
  const why = first ? first.message : t("explain.no-proof");
  return t(`explain.${verdict}`, { issuer, why });
}

const CHECK_STATES = { passed: "valid", failed: "failed", warning: "not-verified", skipped: "unknown" };

function checkItem(check) {
  const label = t(`check.${check.id}`) === `check.${check.id}` ? check.id : t(`check.${check.id}`);
  return h(
    "li",
    { class: `check check-${check.status}` },
    h("span", { class: "check-head" }, h("span", { class: `badge badge-check-${check.status}` }, h("span", { class: "visually-hidden" }, t("badge.status") + " "), t(`check.status.${check.status}`)), " ", h("strong", {}, label)),
    h("span", { class: "check-message" }, bdi(check.message)),
    check.code && check.status !== "passed" ? h("span", { class: "check-code mono" }, check.code) : null,
  );
}

function subjectFacts(report) {
  const s = report.summary || {};
  const rows = [];
  const add = (key, value) => {
    if (value) rows.push(h("div", { class: "fact" }, h("dt", {}, t(key)), h("dd", {}, value)));
  };
  add("field.achievement", s.achievement_name ? bdi(s.achievement_name) : null);
  if (s.issuer_name || s.issuer_id) add("field.issuer", issuerLine(s.issuer_name, s.issuer_id));
  add("field.learner", s.subject_name ? bdi(s.subject_name) : s.subject_id ? h("span", { class: "mono" }, s.subject_id) : null);
  add("field.holder", s.holder ? h("span", { class: "mono" }, s.holder) : null);
  add("field.valid-from", formatDate(s.valid_from));
  add("field.valid-until", formatDate(s.valid_until));
  return rows.length ? h("dl", { class: "facts" }, rows) : null;
}

/** Where an issuer id points: the domain of did:web / https ids, else the DID itself. */
export function issuerOrigin(id) {
  if (!id || typeof id !== "string") return "";
  if (id.startsWith("did:web:")) return decodeURIComponent(id.slice(8).split(":")[0]);
  if (/^https?:\/\//.test(id)) {
    try {
      return new URL(id).host;
    } catch {
      return id;
    }
  }
  return id.length > 48 ? `${id.slice(0, 32)}…${id.slice(-8)}` : id;
}

/** Issuer name with its DID or domain beside it (names alone can be faked). */
export function issuerLine(name, id) {
  return h("span", { class: "issuer" }, name ? bdi(name, { class: "issuer-name" }) : null, id ? h("span", { class: "issuer-id mono", title: id }, name ? ` (${issuerOrigin(id)})` : issuerOrigin(id)) : null);
}

function nestedTree(report, depth) {
  if (!report.nested || !report.nested.length) return null;
  return h(
    "div",
    { class: "nested" },
    h("h3", {}, t("report.nested", { count: report.nested.length })),
    h(
      "ul",
      { class: "tree" },
      report.nested.map((child) => {
        const verdict = verdictOf(child);
        return h(
          "li",
          {},
          h(
            "details",
            { class: "nested-report" },
            h("summary", {}, statusBadge(verdict), " ", bdi(reportTitle(child)), ADVISORY.has(child.role) ? h("span", { class: "hint" }, ` (${t(`role.${child.role}`)})`) : null),
            renderReportBody(child, depth + 1),
          ),
        );
      }),
    ),
  );
}

function renderReportBody(report, depth) {
  const verdict = verdictOf(report);
  return h(
    "div",
    { class: "report-body" },
    h("p", { class: "explain" }, explanation(report, verdict)),
    subjectFacts(report),
    nestedTree(report, depth),
    h("details", { class: "checks" }, h("summary", {}, t("report.checks", { count: (report.checks || []).length })), h("ul", { class: "check-list" }, (report.checks || []).map(checkItem))),
  );
}

/** The whole report: verdict banner, explanation, facts, nested tree, checks, raw JSON, receipt. */
export function renderReport(report, { receipt, heading } = {}) {
  const verdict = verdictOf(report);
  return h(
    "section",
    { class: `report verdict-${verdict}`, "aria-label": t("report.label") },
    h(
      "div",
      { class: "verdict", role: "status" },
      h("span", { class: "verdict-icon", "aria-hidden": "true" }, { verified: "✓", unchecked: "?" }[verdict] || "✕"),
      h("div", {}, h(heading || "h2", { class: "verdict-title" }, t(headline(verdict))), h("p", { class: "verdict-subject" }, bdi(reportTitle(report)))),
    ),
    renderReportBody(report, 0),
    report.checked_at ? h("p", { class: "hint" }, t("report.checked-at", { time: formatDate(report.checked_at, true) })) : null,
    rawJson(t("report.raw"), report),
    receipt ? rawJson(t("report.receipt"), receipt) : null,
  );
}
