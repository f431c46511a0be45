// A small Markdown renderer for untrusted credential text (descriptions, criteria, narratives).
//
// It builds DOM nodes directly (never HTML strings): raw HTML in the source is dropped,
// links are kept only for http(s) and mailto targets (anything else, javascript: included,
// stays plain text), and images are not rendered (a remote image would be a tracking beacon).
// Supported: paragraphs, line breaks, headings (as bold paragraphs), bullet and numbered
// lists, block quotes, fenced code, `code`, **strong**, *emphasis*, [text](url), <https://autolinks>.

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** The URL if it is safe to link to, else null. */
export function safeHref(raw) {
  const text = String(raw || "").trim();
  if (!text || /[\u0000-\u001f\u007f\s]/.test(text)) return null;
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}

/** Remove raw HTML blocks whose content is not text: comments, scripts, styles, frames. */
function dropHtmlBlocks(text) {
  return String(text)
    .replace(/<!--[\s\S]*?(-->|$)/g, "")
    .replace(/<(script|style|iframe|object|template)\b[\s\S]*?(<\/\1\s*>|$)/gi, "");
}

/** Remove raw HTML: tags go, their text content stays (used on text, never on code). */
export function dropHtml(text) {
  return dropHtmlBlocks(text).replace(/<\/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>]|$)[^<>]*>?/g, "");
}

function link(label, href) {
  const a = document.createElement("a");
  a.href = href;
  a.rel = "noopener noreferrer nofollow";
  a.target = "_blank";
  a.append(...label);
  return a;
}

/** Inline Markdown of one text run -> array of nodes (raw HTML dropped outside code spans). */
export function inline(text) {
  const out = [];
  for (const part of String(text).split(/(`[^`\n]+`)/)) {
    if (/^`[^`\n]+`$/.test(part)) {
      const code = document.createElement("code");
      code.textContent = part.slice(1, -1);
      out.push(code);
    } else if (part) {
      out.push(...inlineText(dropHtml(part)));
    }
  }
  return out;
}

function inlineText(text) {
  const out = [];
  let buffer = "";
  const flush = () => {
    if (buffer) out.push(document.createTextNode(buffer));
    buffer = "";
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m;
    if (rest[0] === "\\" && rest.length > 1 && /[\\`*_[\]()<>#!-]/.test(rest[1])) {
      buffer += rest[1];
      i += 2;
    } else if ((m = /^!\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)(?:\s+"[^"]*")?\)/.exec(rest))) {
      buffer += m[1]; // images are not loaded: keep their alt text only
      i += m[0].length;
    } else if ((m = /^\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))*)(?:\s+"[^"]*")?\)/.exec(rest))) {
      const href = safeHref(m[2]);
      if (href) {
        flush();
        out.push(link(inline(m[1]), href));
      } else {
        buffer += m[1];
      }
      i += m[0].length;
    } else if ((m = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/.exec(rest))) {
      const href = safeHref(m[1]);
      flush();
      out.push(href ? link([document.createTextNode(m[1])], href) : document.createTextNode(m[1]));
      i += m[0].length;
    } else if ((m = /^(\*\*|__)(?=\S)([\s\S]*?\S)\1/.exec(rest))) {
      flush();
      const strong = document.createElement("strong");
      strong.append(...inline(m[2]));
      out.push(strong);
      i += m[0].length;
    } else if ((m = /^(\*|_)(?=\S)([\s\S]*?\S)\1(?![*_])/.exec(rest))) {
      flush();
      const em = document.createElement("em");
      em.append(...inline(m[2]));
      out.push(em);
      i += m[0].length;
    } else if (rest[0] === "\n") {
      flush();
      out.push(document.createElement("br"));
      i += 1;
    } else {
      buffer += rest[0];
      i += 1;
    }
  }
  flush();
  return out;
}

function paragraph(lines, tag = "p") {
  const el = document.createElement(tag);
  el.append(...inline(lines.join("\n")));
  return el;
}

/** Render Markdown `source` into a DocumentFragment of safe nodes. */
export function renderMarkdown(source) {
  const fragment = document.createDocumentFragment();
  const lines = dropHtmlBlocks(String(source ?? "").replace(/\r\n?/g, "\n")).split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
      continue;
    }
    let m;
    if (/^\s*```/.test(line)) {
      const body = [];
      i += 1;
      while (i < lines.length && !/^\s*```/.test(lines[i])) body.push(lines[i++]);
      i += 1;
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      code.textContent = body.join("\n");
      pre.append(code);
      fragment.append(pre);
    } else if ((m = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line))) {
      const p = document.createElement("p");
      p.className = "md-heading";
      const strong = document.createElement("strong");
      strong.append(...inline(m[1]));
      p.append(strong);
      fragment.append(p);
      i += 1;
    } else if (/^\s*>/.test(line)) {
      const body = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) body.push(lines[i++].replace(/^\s*>\s?/, ""));
      const quote = document.createElement("blockquote");
      quote.append(renderMarkdown(body.join("\n")));
      fragment.append(quote);
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const list = document.createElement(ordered ? "ol" : "ul");
      const marker = ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/;
      while (i < lines.length && marker.test(lines[i])) {
        const item = [lines[i].replace(marker, "")];
        i += 1;
        while (i < lines.length && lines[i].trim() && /^\s{2,}/.test(lines[i]) && !marker.test(lines[i])) {
          item.push(lines[i++].trim());
        }
        list.append(paragraph(item, "li"));
      }
      fragment.append(list);
    } else {
      const body = [];
      while (
        i < lines.length &&
        lines[i].trim() &&
        !/^\s*(```|>|#{1,6}\s|([-*+]|\d+[.)])\s+)/.test(lines[i])
      ) {
        body.push(lines[i++]);
      }
      fragment.append(paragraph(body));
    }
  }
  return fragment;
}
