// Building DOM nodes without HTML strings: every text goes in as a text node.

const PROPS = new Set(["value", "checked", "disabled", "selected", "hidden", "htmlFor", "type", "name", "id", "className", "tabIndex", "multiple", "required", "readOnly"]);

/** h("button", {class: "primary", onclick: fn}, "Label", child...) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "for") el.htmlFor = value;
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (PROPS.has(key)) el[key] = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children (nodes, strings, numbers, arrays; null/false skipped). */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Untrusted text, isolated for bidi (a name in another script cannot reorder its neighbours). */
export function bdi(text, props) {
  return h("bdi", { dir: "auto", ...props }, text == null ? "" : String(text));
}

let uid = 0;
/** A fresh id for label/aria wiring. */
export function newId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: returns {wrap, input}. */
export function field(label, input, hint) {
  const id = input.id || newId();
  input.id = id;
  const parts = [h("label", { for: id }, label), input];
  if (hint) {
    const hintId = `${id}-hint`;
    input.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  return { wrap: h("div", { class: "field" }, parts), input };
}

/** Trigger a download of a Blob under a file name. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An <img> showing an SVG string (e.g. a QR code from the server) without parsing it into the page. */
export function svgImage(svg, alt, props) {
  const src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  return h("img", { src, alt, ...props });
}
