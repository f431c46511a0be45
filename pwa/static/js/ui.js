// Small UI pieces shared by the screens: page frame, errors, busy buttons, badges, dialogs.

import { ApiError } from "./api.js";
import { h, replace, newId } from "./dom.js";
import { t } from "./i18n.js";

/** A screen: <section> with its <h1> (focused after navigation). */
export function page(title, ...children) {
  return h("section", { class: "page", "aria-labelledby": "page-title" }, h("h1", { id: "page-title", tabindex: "-1" }, title), children);
}

/** The sticky bar at the bottom of a screen holding its primary actions (thumb reach). */
export function actions(...buttons) {
  return h("div", { class: "actions" }, buttons);
}

/** Human text for an error. */
export function errorText(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    if (error.status === 401) return t("error.signin");
    if (error.status === 404 && !error.problem.detail) return t("error.notfound");
    return error.message || t("error.generic");
  }
  return (error && error.message) || t("error.generic");
}

/** An alert box for an error (announced by screen readers). */
export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, errorText(error));
}

/** A region where results/errors of an action appear (polite live region). */
export function outlet(props = {}) {
  return h("div", { class: "outlet", "aria-live": "polite", ...props });
}

/** Run `fn` with `button` disabled and marked busy; errors go into `into` (or a toast). */
export async function busy(button, fn, into) {
  if (button.disabled) return undefined;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    if (into) into.replaceChildren();
    return await fn();
  } catch (error) {
    if (into) replace(into, errorBox(error));
    else toast(errorText(error), true);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

let toastTimer = 0;
/** A short message at the bottom of the screen (role=status). */
export function toast(text, isError = false) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = text;
  el.classList.toggle("is-error", isError);
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 5000);
}

const STATE_ICONS = { valid: "✓", verified: "✓", expired: "⏱", revoked: "✕", suspended: "⏸", unknown: "?", "not-verified": "!", failed: "✕", unchecked: "?", "not-yet-valid": "⏱" };

/** A status badge: colour plus icon plus words, with "Status:" for screen readers. */
export function statusBadge(state) {
  const key = STATE_ICONS[state] ? state : "unknown";
  return h(
    "span",
    { class: `badge badge-${key}` },
    h("span", { class: "visually-hidden" }, t("badge.status") + " "),
    h("span", { "aria-hidden": "true" }, STATE_ICONS[key] + " "),
    t(`state.${key}`),
  );
}

/** Segmented choice (buttons with aria-pressed); onChange(value). */
export function segmented(label, options, value, onChange) {
  const group = h("div", { class: "segmented", role: "group", "aria-label": label });
  const render = (selected) => {
    group.replaceChildren(
      ...options.map(([key, text]) =>
        h(
          "button",
          {
            type: "button",
            "aria-pressed": String(key === selected),
            onclick: () => {
              render(key);
              onChange(key);
            },
          },
          text,
        ),
      ),
    );
  };
  render(value);
  return group;
}

/** A modal <dialog> with a title and content; returns the dialog (already open). */
export function openDialog(title, content, { className = "", onClose } = {}) {
  const titleId = newId("dlg");
  const close = h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("action.close"));
  const dialog = h("dialog", { class: `dialog ${className}`, "aria-labelledby": titleId }, h("h2", { id: titleId }, title), content, h("div", { class: "dialog-actions" }, close));
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (onClose) onClose();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Ask yes/no in a modal dialog; resolves true when confirmed. */
export function confirmDialog(title, text, confirmLabel) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h("button", { type: "button", class: "danger", onclick: () => { answer = true; dialog.close(); } }, confirmLabel);
    const dialog = openDialog(title, [h("p", {}, text), yes], { onClose: () => resolve(answer) });
  });
}

/** Collapsible raw JSON (rendered as text). */
export function rawJson(label, value) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return h("details", { class: "raw" }, h("summary", {}, label), h("pre", { tabindex: "0" }, h("code", {}, text)));
}

/** A link styled as a button. */
export function linkButton(href, text, cls = "button") {
  return h("a", { href, class: cls }, text);
}

/** A read-only text with a copy button. */
export function copyField(label, value) {
  const input = h("input", { type: "text", readOnly: true, value, class: "mono" });
  const id = newId();
  input.id = id;
  const copy = h("button", {
    type: "button",
    class: "secondary",
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(value);
        toast(t("toast.copied"));
      } catch {
        input.select();
        toast(t("toast.copy-manually"));
      }
    },
  }, t("action.copy"));
  return h("div", { class: "field copy-field" }, h("label", { for: id }, label), h("div", { class: "row" }, input, copy));
}
