// The learner's credentials: the list (search, filter, status badges), a credential, the skills.

import { del, request } from "../api.js";
import { credentialName, credentialObject, renderCredential } from "../credential.js";
import { bdi, h, newId } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { issuerLine, renderReport } from "../report.js";
import { state } from "../state.js";
import { actions, busy, confirmDialog, errorBox, linkButton, outlet, page, statusBadge, toast } from "../ui.js";

function noteSync(result) {
  if (!result.offline) localStorage.setItem("satchel.lastSync", new Date().toISOString());
}

/** GET with the offline stamp: marks the banner and remembers the sync time. */
async function load(path) {
  const result = await request("GET", path);
  noteSync(result);
  return result.data;
}

const TYPE_FILTERS = [
  ["", "list.all-types"],
  ["OpenBadgeCredential", "list.type-badge"],
  ["ClrCredential", "list.type-clr"],
];
const SORTS = [
  ["added", "list.sort-recent"],
  ["name", "list.sort-name"],
  ["issued", "list.sort-issued"],
  ["state", "list.sort-state"],
];

function credentialCard(item) {
  const s = item.summary || {};
  return h(
    "li",
    {},
    h(
      "a",
      { href: `#/wallet/${encodeURIComponent(item.id)}`, class: "card card-link cred-card" },
      h("span", { class: "cred-card-main" }, h("strong", { class: "cred-card-name" }, bdi(item.name || s.achievement_name || s.subject_name || t("credential.untitled"))), h("span", { class: "hint block" }, issuerLine(s.issuer_name, s.issuer_id))),
      h("span", { class: "cred-card-side" }, statusBadge(item.state), item.last_checked ? h("span", { class: "hint block" }, t("list.checked", { date: formatDate(item.last_checked) })) : null),
    ),
  );
}

export async function list({ query }) {
  const q = query.get("q") || "";
  const type = query.get("type") || "";
  const sort = query.get("sort") || "added";
  const skill = query.get("skill") || "";
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  if (type) params.set("type", type);
  if (skill) params.set("skill", skill);
  if (sort !== "added") params.set("sort", sort);
  const path = "/api/wallet/credentials" + (params.toString() ? `?${params}` : "");
  let items;
  let failure = null;
  try {
    items = await load(path);
  } catch (error) {
    items = [];
    failure = errorBox(error);
  }

  const search = h("input", { type: "search", name: "q", value: q, id: "list-q", autocomplete: "off" });
  const typeSelect = h("select", { name: "type", id: "list-type" }, TYPE_FILTERS.map(([value, key]) => h("option", { value, selected: value === type }, t(key))));
  const sortSelect = h("select", { name: "sort", id: "list-sort" }, SORTS.map(([value, key]) => h("option", { value, selected: value === sort }, t(key))));
  const filters = h(
    "form",
    {
      class: "filters",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        if (search.value.trim()) next.set("q", search.value.trim());
        if (typeSelect.value) next.set("type", typeSelect.value);
        if (sortSelect.value !== "added") next.set("sort", sortSelect.value);
        location.hash = "#/wallet" + (next.toString() ? `?${next}` : "");
      },
    },
    h("div", { class: "field grow" }, h("label", { for: "list-q" }, t("list.search")), search),
    h("div", { class: "field" }, h("label", { for: "list-type" }, t("list.type")), typeSelect),
    h("div", { class: "field" }, h("label", { for: "list-sort" }, t("list.sort")), sortSelect),
    h("button", { type: "submit", class: "secondary" }, t("list.apply")),
  );
  const empty = !items.length && !failure;
  return page(
    t("list.title"),
    filters,
    skill ? h("p", {}, t("list.skill-filter", { skill }), " ", h("a", { href: "#/wallet" }, t("list.clear-filter"))) : null,
    failure,
    empty ? h("div", { class: "empty card" }, h("p", {}, q || type || skill ? t("list.none-match") : t("list.empty")), linkButton("#/import", t("list.add-first"), "button primary")) : null,
    h("ul", { class: "cards", id: "credential-list", "aria-label": t("list.label") }, items.map(credentialCard)),
    actions(linkButton("#/import", t("list.add"), "button primary"), linkButton("#/bundle", t("list.bundle"), "button secondary"), linkButton("#/shares", t("list.share"), "button secondary")),
  );
}

export async function detail({ params }) {
  const id = params.id;
  const item = await load(`/api/wallet/credentials/${encodeURIComponent(id)}`);
  const vc = credentialObject(item.credential);
  const out = outlet();
  const reportHolder = h("div", { id: "credential-report" }, item.report ? renderReport(item.report) : h("p", {}, t("detail.no-report")));
  const statusHolder = h("p", { class: "status-line" }, statusBadge(item.state), item.last_checked ? [" ", h("span", { class: "hint" }, t("list.checked", { date: formatDate(item.last_checked, true) }))] : null);

  const recheck = h("button", {
    type: "button",
    class: "secondary",
    onclick: () =>
      busy(
        recheck,
        async () => {
          const fresh = (await request("POST", `/api/wallet/credentials/${encodeURIComponent(id)}/verify`, { json: {} })).data || {};
          const report = fresh.report || fresh;
          reportHolder.replaceChildren(renderReport(report));
          statusHolder.replaceChildren(statusBadge(fresh.state || (report.verified ? "valid" : "not-verified")), " ", h("span", { class: "hint" }, t("list.checked", { date: formatDate(new Date(), true) })));
          toast(t("detail.rechecked"));
        },
        out,
      ),
  }, t("detail.recheck"));
  const share = h("button", { type: "button", class: "primary", onclick: () => { state.selection = [id]; location.hash = "#/shares?new=1"; } }, t("detail.share"));
  const bundle = h("button", { type: "button", class: "secondary", onclick: () => { state.selection = [...new Set([...state.selection, id])]; location.hash = "#/bundle"; } }, t("detail.bundle"));
  const remove = h("button", {
    type: "button",
    class: "danger",
    onclick: async () => {
      if (!(await confirmDialog(t("detail.delete-title"), t("detail.delete-text", { name: credentialName(vc) }), t("detail.delete")))) return;
      await busy(remove, async () => {
        await del(`/api/wallet/credentials/${encodeURIComponent(id)}`);
        toast(t("detail.deleted"));
        location.hash = "#/wallet";
      }, out);
    },
  }, t("detail.delete"));

  return page(
    credentialName(vc),
    statusHolder,
    renderCredential(item.credential),
    h("h2", {}, t("detail.verification")),
    reportHolder,
    out,
    h("div", { class: "row wrap" }, recheck, bundle, remove),
    actions(share),
  );
}

export async function skills() {
  const items = await load("/api/wallet/skills");
  const frameworks = new Map();
  for (const item of items) {
    const key = item.framework || "";
    if (!frameworks.has(key)) frameworks.set(key, []);
    frameworks.get(key).push(item);
  }
  return page(
    t("skills.title"),
    h("p", { class: "lead" }, t("skills.lead")),
    items.length ? null : h("p", { class: "empty card" }, t("skills.empty")),
    [...frameworks.entries()].map(([framework, skillsOf]) => {
      const headingId = newId("fw");
      return h(
        "section",
        { class: "skills-group", "aria-labelledby": headingId },
        h("h2", { id: headingId }, framework ? bdi(framework) : t("skills.no-framework")),
        h(
          "ul",
          { class: "chips" },
          skillsOf.map((s) =>
            h("li", {}, h("a", { class: "chip", href: `#/wallet?skill=${encodeURIComponent(s.skill)}` }, bdi(s.skill), " ", h("span", { class: "chip-count" }, t("skills.count", { count: (s.credentials || []).length })))),
          ),
        ),
      );
    }),
  );
}

