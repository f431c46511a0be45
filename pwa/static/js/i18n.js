// English and Spanish: chosen from the browser, switchable, remembered on this device.

export const LANGUAGES = { en: "English", es: "Español" };
const STORE = "satchel.lang";
let current = "en";
let strings = {};

function preferred() {
  const saved = localStorage.getItem(STORE);
  if (saved && saved in LANGUAGES) return saved;
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

async function load(lang) {
  const response = await fetch(`/static/locales/${lang}.json`);
  if (!response.ok) throw new Error(`locale ${lang}: HTTP ${response.status}`);
  return response.json();
}

/** Load the preferred language's strings. */
export async function initI18n() {
  await useLanguage(preferred(), false);
}

/** Switch language (and remember it when `remember`). */
export async function useLanguage(lang, remember = true) {
  if (!(lang in LANGUAGES)) lang = "en";
  strings = await load(lang);
  current = lang;
  if (remember) localStorage.setItem(STORE, lang);
  document.documentElement.lang = lang;
}

export function language() {
  return current;
}

/** The text for `key`, with {name} placeholders filled from `vars`. */
export function t(key, vars) {
  let text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

/** A date (ISO string or Date) in the current language; "" when missing, the input when unparsable. */
export function formatDate(value, withTime = false) {
  if (!value) return "";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const options = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(current, options).format(date);
}
