// Home (who are you?), the "More" menu, the portability walkthrough, not found.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { currentUser } from "../state.js";
import { linkButton, page } from "../ui.js";

function card(href, titleKey, textKey, icon) {
  return h("li", {}, h("a", { href, class: "card card-link" }, h("span", { class: "card-icon", "aria-hidden": "true" }, icon), h("span", {}, h("strong", {}, t(titleKey)), h("span", { class: "hint block" }, t(textKey)))));
}

export async function home() {
  const user = await currentUser();
  return page(
    t("home.title"),
    h("p", { class: "lead" }, t("home.lead")),
    user ? h("p", {}, t("home.signed-in-as", { name: user.username })) : null,
    h(
      "ul",
      { class: "cards" },
      card(user ? "#/wallet" : "#/signin", "home.learner", "home.learner-text", "▤"),
      card("#/verify", "home.employer", "home.employer-text", "✓"),
      card("#/career", "home.career", "home.career-text", "★"),
      card("#/walkthrough", "home.walkthrough", "home.walkthrough-text", "→"),
    ),
  );
}

export async function more() {
  const user = await currentUser();
  const group = (titleKey, items) => h("section", { class: "menu-group" }, h("h2", {}, t(titleKey)), h("ul", { class: "menu" }, items.map(([href, key]) => h("li", {}, h("a", { href }, t(key))))));
  return page(
    t("more.title"),
    group("more.learner", [
      ["#/wallet", "nav.wallet"],
      ["#/import", "import.title"],
      ["#/skills", "skills.title"],
      ["#/bundle", "bundle.title"],
      ["#/shares", "shares.title"],
      ...(user ? [["#/backup", "backup.title"]] : [["#/signin", "auth.signin"]]),
    ]),
    group("more.employer", [
      ["#/verify", "verify.title"],
      ["#/verify/request", "vrequest.title"],
      ["#/fair", "fair.title"],
    ]),
    group("more.career", [
      ["#/career", "career.title"],
      ["#/walkthrough", "walk.title"],
    ]),
    group("more.app", [["#/settings", "settings.title"]]),
  );
}

const STEPS = [
  ["walk.step1", "walk.step1-text", "#/career"],
  ["walk.step2", "walk.step2-text", "#/scan"],
  ["walk.step3", "walk.step3-text", "#/bundle"],
  ["walk.step4", "walk.step4-text", "#/shares"],
  ["walk.step5", "walk.step5-text", "#/verify"],
  ["walk.step6", "walk.step6-text", "#/career"],
];

export async function walkthrough() {
  const done = new Set(JSON.parse(localStorage.getItem("satchel.walk") || "[]"));
  const save = () => localStorage.setItem("satchel.walk", JSON.stringify([...done]));
  return page(
    t("walk.title"),
    h("p", { class: "lead" }, t("walk.lead")),
    h(
      "ol",
      { class: "steps" },
      STEPS.map(([titleKey, textKey, href], index) => {
        const box = h("input", {
          type: "checkbox",
          id: `walk-${index}`,
          checked: done.has(index),
          onchange: () => {
            if (box.checked) done.add(index);
            else done.delete(index);
            save();
          },
        });
        return h("li", { class: "step card" }, h("h2", {}, t(titleKey)), h("p", {}, t(textKey)), h("div", { class: "row" }, linkButton(href, t("walk.go"), "button secondary"), h("span", { class: "check-inline" }, box, h("label", { for: `walk-${index}` }, t("walk.done")))));
      }),
    ),
  );
}

export async function notFound() {
  return page(t("notfound.title"), h("p", {}, t("notfound.text")), linkButton("#/", t("notfound.home")));
}
