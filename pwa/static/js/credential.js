// Display of an Open Badges 3.0 / CLR 2.0 credential: everything a badge displayer shows.
// All credential content is untrusted: text nodes only, Markdown through markdown.js,
// bidi-isolated names, images only via <img> (data: inline; remote ones on request, via the server).

import { ApiError, request } from "./api.js";
import { bdi, h } from "./dom.js";
import { formatDate, t } from "./i18n.js";
import { renderMarkdown, safeHref } from "./markdown.js";
import { issuerLine } from "./report.js";
import { errorBox, rawJson } from "./ui.js";

const list = (value) => (value == null ? [] : Array.isArray(value) ? value : [value]);
const str = (value) => (typeof value === "string" ? value : value && typeof value === "object" && typeof value.id === "string" ? value.id : "");
const text = (value) => (typeof value === "string" || typeof value === "number" ? String(value) : "");

function b64urlJson(part) {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The credential object of a JSON credential or a VC-JWT (for display only, never trusted). */
export function credentialObject(credential) {
  if (credential && typeof credential === "object") return credential;
  if (typeof credential === "string") {
    const trimmed = credential.trim();
    if (trimmed.startsWith("{")) {
      try {
        return JSON.parse(trimmed);
      } catch {
        return {};
      }
    }
    const parts = trimmed.split(".");
    if (parts.length >= 2) {
      try {
        const payload = b64urlJson(parts[1]);
        return payload.vc && typeof payload.vc === "object" ? { ...payload.vc, issuer: payload.vc.issuer || payload.iss } : payload;
      } catch {
        return {};
      }
    }
  }
  return {};
}

export function subjectOf(vc) {
  return list(vc.credentialSubject)[0] || {};
}

export function achievementOf(vc) {
  const subject = subjectOf(vc);
  return (subject.achievement && typeof subject.achievement === "object" ? list(subject.achievement)[0] : null) || {};
}

/** Name of a credential for lists (achievement, then credential name). */
export function credentialName(vc) {
  if (list(vc.type).includes("ClrCredential")) return text(vc.name) || t("credential.untitled");
  return text(achievementOf(vc).name) || text(vc.name) || t("credential.untitled");
}

const IMAGE_DATA = /^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i;

/** An image the credential names: data: URLs inline, remote ones only when the learner asks. */
export function credentialImage(image, alt) {
  const src = str(image);
  const caption = image && typeof image === "object" ? text(image.caption) : "";
  if (!src) return null;
  const label = alt || caption || t("credential.image");
  if (IMAGE_DATA.test(src)) return h("img", { class: "badge-image", src, alt: label });
  if (!safeHref(src) || !/^https?:/i.test(src)) return null;
  let host = src;
  try {
    host = new URL(src).host;
  } catch {
    /* keep the raw text */
  }
  const holder = h("div", { class: "remote-image" });
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary small",
      onclick: async () => {
        button.disabled = true;
        try {
          const { data } = await request("POST", "/api/remote-image", { json: { url: src }, raw: true, accept: "image/*" });
          holder.replaceChildren(h("img", { class: "badge-image", src: URL.createObjectURL(data), alt: label }));
        } catch (error) {
          holder.append(errorBox(error instanceof ApiError ? error : new Error(t("error.image"))));
          button.disabled = false;
        }
      },
    },
    t("credential.load-image", { host }),
  );
  holder.append(button);
  return holder;
}

function section(titleKey, ...children) {
  const body = children.flat().filter(Boolean);
  if (!body.length) return null;
  return h("section", { class: "cred-section" }, h("h3", {}, t(titleKey)), body);
}

function fact(key, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
  return h("div", { class: "fact" }, h("dt", {}, t(key)), h("dd", {}, value));
}

function facts(...rows) {
  const kept = rows.filter(Boolean);
  return kept.length ? h("dl", { class: "facts" }, kept) : null;
}

function extLink(url, label) {
  const href = safeHref(url);
  if (!href) return url ? h("span", { class: "mono" }, url) : null;
  return h("a", { href, rel: "noopener noreferrer nofollow", target: "_blank" }, label ? bdi(label) : h("span", { class: "mono" }, href));
}

function markdown(value) {
  const source = text(value);
  return source ? h("div", { class: "md" }, renderMarkdown(source)) : null;
}

function issuerBlock(issuer) {
  const id = str(issuer);
  const obj = issuer && typeof issuer === "object" ? issuer : {};
  return facts(
    fact("field.issuer", issuerLine(text(obj.name), id)),
    fact("field.issuer-id", id ? h("span", { class: "mono break" }, id) : null),
    fact("field.website", obj.url ? extLink(str(obj.url)) : null),
    fact("field.email", text(obj.email)),
    fact("field.description", markdown(obj.description)),
  );
}

function recipient(subject) {
  const identifiers = list(subject.identifier).map((item) =>
    item && typeof item === "object" ? `${text(item.identityType) || "identity"}: ${item.hashed ? t("field.hashed") : text(item.identityHash)}` : "",
  );
  return facts(
    fact("field.learner", subject.name ? bdi(text(subject.name)) : null),
    fact("field.learner-id", str(subject.id) ? h("span", { class: "mono break" }, str(subject.id)) : null),
    fact("field.identifier", identifiers.filter(Boolean).join("; ")),
  );
}

function alignments(achievement) {
  const items = list(achievement.alignment).filter((a) => a && typeof a === "object");
  if (!items.length) return null;
  return section(
    "credential.alignment",
    h(
      "ul",
      { class: "plain-list" },
      items.map((a) =>
        h("li", {}, a.targetUrl ? extLink(str(a.targetUrl), text(a.targetName) || str(a.targetUrl)) : bdi(text(a.targetName)), a.targetFramework ? [" — ", bdi(text(a.targetFramework))] : null, a.targetCode ? [" ", h("span", { class: "mono" }, `(${text(a.targetCode)})`)] : null, markdown(a.targetDescription)),
      ),
    ),
  );
}

function results(subject, achievement) {
  const descriptions = new Map(list(achievement.resultDescription).filter((d) => d && typeof d === "object").map((d) => [str(d), d]));
  const items = list(subject.result).filter((r) => r && typeof r === "object");
  if (!items.length) return null;
  return section(
    "credential.results",
    h(
      "ul",
      { class: "plain-list" },
      items.map((r) => {
        const d = descriptions.get(text(r.resultDescription)) || {};
        return h("li", {}, bdi(text(d.name) || text(r.resultDescription) || t("credential.result")), ": ", bdi(text(r.value) || text(r.status) || text(r.achievedLevel)));
      }),
    ),
  );
}

function evidence(vc) {
  const items = list(vc.evidence).filter((e) => e && typeof e === "object");
  if (!items.length) return null;
  return section(
    "credential.evidence",
    h("ul", { class: "plain-list" }, items.map((e) => h("li", {}, e.id ? extLink(str(e.id), text(e.name) || str(e.id)) : bdi(text(e.name)), markdown(e.description), markdown(e.narrative)))),
  );
}

function endorsements(vc, achievement) {
  const items = [...list(vc.endorsement), ...list(achievement.endorsement), ...list(vc.endorsementJwt), ...list(achievement.endorsementJwt)];
  if (!items.length) return null;
  return section(
    "credential.endorsements",
    h(
      "ul",
      { class: "plain-list" },
      items.map((item) => {
        const e = credentialObject(item);
        const subject = subjectOf(e);
        return h("li", { class: "endorsement" }, issuerLine(text(e.issuer && e.issuer.name), str(e.issuer)), markdown(subject.endorsementComment), e.validFrom || e.issuanceDate ? h("p", { class: "hint" }, t("field.issued-on", { date: formatDate(e.validFrom || e.issuanceDate) })) : null);
      }),
    ),
  );
}

function nestedCredentials(vc) {
  const subject = subjectOf(vc);
  const items = list(subject.verifiableCredential);
  if (!items.length) return null;
  const associations = list(subject.association).filter((a) => a && typeof a === "object");
  return section(
    "credential.included",
    h(
      "ol",
      { class: "tree" },
      items.map((item) => {
        const inner = credentialObject(item);
        return h("li", {}, h("details", {}, h("summary", {}, bdi(credentialName(inner)), " — ", issuerLine(text(inner.issuer && inner.issuer.name), str(inner.issuer))), renderCredential(inner, { nested: true })));
      }),
    ),
    associations.length
      ? h("ul", { class: "plain-list" }, associations.map((a) => h("li", {}, t("credential.association", { type: text(a.associationType), source: text(a.sourceId), target: text(a.targetId) }))))
      : null,
  );
}

/** The full display of a credential (object or JWT string). */
export function renderCredential(credential, { nested = false } = {}) {
  const vc = credentialObject(credential);
  const subject = subjectOf(vc);
  const achievement = achievementOf(vc);
  const name = credentialName(vc);
  const image = credentialImage(achievement.image || vc.image, t("credential.image-of", { name }));
  const criteria = achievement.criteria && typeof achievement.criteria === "object" ? achievement.criteria : {};
  const types = list(vc.type).map(text).filter((x) => x && x !== "VerifiableCredential");
  return h(
    "article",
    { class: "credential" },
    h("header", { class: "cred-header" }, image, h("div", {}, h(nested ? "h4" : "h2", { class: "cred-name" }, bdi(name)), achievement.achievementType ? h("p", { class: "hint" }, bdi(text(achievement.achievementType))) : null, vc.issuer ? h("p", { class: "cred-issuer" }, issuerLine(text(vc.issuer.name), str(vc.issuer))) : null)),
    markdown(achievement.description || vc.description),
    section("credential.criteria", markdown(criteria.narrative), criteria.id ? h("p", {}, extLink(str(criteria.id))) : null),
    section(
      "credential.details",
      facts(
        fact("field.awarded", formatDate(subject.awardedDate)),
        fact("field.valid-from", formatDate(vc.validFrom || vc.issuanceDate)),
        fact("field.valid-until", formatDate(vc.validUntil || vc.expirationDate)),
        fact("field.credits", text(subject.creditsEarned) || text(achievement.creditsAvailable)),
        fact("field.types", types.join(", ")),
        fact("field.tags", list(achievement.tag).map(text).filter(Boolean).join(", ")),
        fact("field.id", str(vc.id) ? h("span", { class: "mono break" }, str(vc.id)) : null),
      ),
    ),
    section("credential.recipient", recipient(subject)),
    section("credential.issuer", vc.issuer ? issuerBlock(vc.issuer) : null),
    results(subject, achievement),
    alignments(achievement),
    evidence(vc),
    endorsements(vc, achievement),
    nestedCredentials(vc),
    nested ? null : rawJson(t("credential.raw"), credential),
  );
}
