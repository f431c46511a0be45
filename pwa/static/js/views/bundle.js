// The CLR bundle builder: pick credentials, order them into a pathway, preview, sign.

import { get, post } from "../api.js";
import { bdi, field, h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { issuerLine, renderReport } from "../report.js";
import { state } from "../state.js";
import { actions, busy, linkButton, outlet, page, statusBadge } from "../ui.js";

function nameOf(item) {
  const s = item.summary || {};
  return item.name || s.achievement_name || s.subject_name || t("credential.untitled");
}

export async function builder() {
  const items = await get("/api/wallet/credentials");
  const byId = new Map(items.map((item) => [String(item.id), item]));
  let order = state.selection.filter((id) => byId.has(id));
  let step = "pick";
  const body = h("div", { class: "stack" });
  const out = outlet();
  const name = field(t("bundle.name"), h("input", { type: "text", name: "name", value: t("bundle.default-name") }));
  const pathway = h("input", { type: "checkbox", id: "bundle-pathway", checked: true });

  const associations = () =>
    pathway.checked ? order.slice(1).map((target, i) => ({ type: "precedes", source: order[i], target })) : [];

  const stepHeading = (n, key) => h("h2", { class: "step-title", tabindex: "-1" }, t("bundle.step", { n, total: 3 }), " ", t(key));

  const focusStep = () => {
    const heading = body.querySelector("h2");
    if (heading) heading.focus();
  };

  const renderPick = () => {
    const boxes = items.map((item) => {
      const id = `pick-${item.id}`;
      const box = h("input", {
        type: "checkbox",
        id,
        value: String(item.id),
        checked: order.includes(String(item.id)),
        onchange: () => {
          if (box.checked) order.push(String(item.id));
          else order = order.filter((x) => x !== String(item.id));
          next.disabled = order.length < 1;
          count.textContent = t("bundle.picked", { count: order.length });
        },
      });
      return h("li", { class: "pick" }, box, h("label", { for: id }, h("strong", {}, bdi(nameOf(item))), h("span", { class: "hint block" }, issuerLine(item.summary && item.summary.issuer_name, item.summary && item.summary.issuer_id)), statusBadge(item.state)));
    });
    const count = h("p", { "aria-live": "polite" }, t("bundle.picked", { count: order.length }));
    const next = h("button", { type: "button", class: "primary", disabled: order.length < 1, onclick: () => { step = "order"; render(); } }, t("bundle.next"));
    replace(body, stepHeading(1, "bundle.pick"), items.length ? h("ul", { class: "pick-list" }, boxes) : h("p", { class: "empty card" }, t("list.empty")), count, actions(next));
  };

  const renderOrder = () => {
    const listEl = h("ol", { class: "order-list" });
    const draw = (focusId, direction) => {
      replace(
        listEl,
        order.map((id, index) => {
          const up = h("button", { type: "button", class: "icon-button", "aria-label": t("bundle.up", { name: nameOf(byId.get(id)) }), disabled: index === 0, onclick: () => move(index, -1) }, "↑");
          const down = h("button", { type: "button", class: "icon-button", "aria-label": t("bundle.down", { name: nameOf(byId.get(id)) }), disabled: index === order.length - 1, onclick: () => move(index, 1) }, "↓");
          up.dataset.id = id;
          down.dataset.id = id;
          return h("li", { class: "order-item card" }, h("span", { class: "order-name" }, bdi(nameOf(byId.get(id)))), h("span", { class: "order-buttons" }, up, down));
        }),
      );
      if (focusId) {
        const buttons = listEl.querySelectorAll(`button[data-id="${CSS.escape(focusId)}"]`);
        const target = direction < 0 ? buttons[0] : buttons[1];
        if (target && !target.disabled) target.focus();
        else if (buttons[0] && !buttons[0].disabled) buttons[0].focus();
        else if (buttons[1]) buttons[1].focus();
      }
    };
    const move = (index, delta) => {
      const j = index + delta;
      if (j < 0 || j >= order.length) return;
      const id = order[index];
      [order[index], order[j]] = [order[j], order[index]];
      draw(id, delta);
      live.textContent = t("bundle.moved", { name: nameOf(byId.get(id)), position: j + 1 });
    };
    const live = h("p", { class: "visually-hidden", "aria-live": "polite" });
    draw();
    const back = h("button", { type: "button", class: "secondary", onclick: () => { step = "pick"; render(); } }, t("bundle.back"));
    const next = h("button", { type: "button", class: "primary", onclick: () => { step = "preview"; render(); } }, t("bundle.preview"));
    replace(body, stepHeading(2, "bundle.order"), h("p", {}, t("bundle.order-hint")), listEl, live, name.wrap, h("p", { class: "check-inline" }, pathway, h("label", { for: "bundle-pathway" }, t("bundle.pathway"))), actions(back, next));
  };

  const renderPreview = () => {
    const sign = h("button", {
      type: "button",
      class: "primary",
      onclick: () =>
        busy(sign, async () => {
          const body = { credential_ids: order, name: name.input.value.trim() || t("bundle.default-name"), associations: associations() };
          const result = await post("/api/wallet/bundles", body);
          state.selection = [];
          replace(
            out,
            h("div", { class: "card success" }, h("p", { role: "status" }, h("strong", {}, t("bundle.signed"))), linkButton(`#/wallet/${encodeURIComponent(result.credential_id)}`, t("bundle.open"), "button primary")),
            result.report ? renderReport(result.report) : null,
          );
          sign.hidden = true;
          back.hidden = true;
        }, out),
    }, t("bundle.sign"));
    const back = h("button", { type: "button", class: "secondary", onclick: () => { step = "order"; render(); } }, t("bundle.back"));
    const assoc = associations();
    replace(
      body,
      stepHeading(3, "bundle.check"),
      h("div", { class: "card" }, h("h3", {}, bdi(name.input.value.trim() || t("bundle.default-name"))), h("ol", { class: "pathway" }, order.map((id) => h("li", {}, bdi(nameOf(byId.get(id)))))), h("p", { class: "hint" }, assoc.length ? t("bundle.pathway-preview", { count: assoc.length }) : t("bundle.no-pathway"))),
      h("p", {}, t("bundle.sign-explain")),
      out,
      actions(back, sign),
    );
  };

  const render = () => {
    if (step === "pick") renderPick();
    else if (step === "order") renderOrder();
    else renderPreview();
    focusStep();
  };
  renderPick();
  return page(t("bundle.title"), h("p", { class: "lead" }, t("bundle.lead")), body);
}
