"""Server-rendered pages of a share: the public view and the printable page (all escaped)."""

from __future__ import annotations

import html
import urllib.parse
from typing import Any

from shared.display import display_fields
from shared.shapes import as_list


def _credentials(presentation: dict[str, Any]) -> list[dict[str, Any] | str]:
    out: list[dict[str, Any] | str] = []
    for item in as_list(presentation.get("verifiableCredential")):
        if isinstance(item, dict) and "EnvelopedVerifiableCredential" in as_list(item.get("type")):
            out.append(urllib.parse.unquote(str(item.get("id", "")).partition(",")[2]))
        elif isinstance(item, dict | str):
            out.append(item)
    return out


def _row(label: str, value: Any) -> str:
    if not value:
        return ""
    return f"<dt>{html.escape(label)}</dt><dd>{html.escape(str(value))}</dd>"


def _card(fields: dict[str, Any]) -> str:
    achievement = fields.get("achievement", {})
    image = fields.get("image", {}).get("url")
    parts = ["<article class='credential'>"]
    if isinstance(image, str) and image.startswith("https://"):
        parts.append(f"<img src='{html.escape(image, quote=True)}' alt='' width='96' height='96'>")
    parts.append(f"<h2>{html.escape(str(fields.get('name', '')))}</h2>")
    if fields.get("description"):
        parts.append(f"<p>{html.escape(str(fields['description']))}</p>")
    parts.append("<dl>")
    issuer = fields.get("issuer", {})
    parts.append(_row("Issued by", issuer.get("name") or issuer.get("id")))
    parts.append(_row("Issued", fields.get("issued")))
    parts.append(_row("Credential expires", fields.get("expires")))
    parts.append(_row("Criteria", achievement.get("criteria", {}).get("narrative")))
    parts.append(_row("Type", achievement.get("achievementType")))
    for skill in fields.get("skills", []):
        parts.append(_row("Skill", f"{skill['skill']} ({skill['framework']})"))
    for result in fields.get("results", []):
        parts.append(_row("Result", result.get("value") or result.get("achievedLevel")))
    for evidence in fields.get("evidence", []):
        parts.append(_row("Evidence", evidence.get("name") or evidence.get("id")))
    for endorsement in fields.get("endorsements", []):
        parts.append(_row("Endorsed by", endorsement.get("issuer", {}).get("name")))
    parts.append("</dl></article>")
    return "".join(parts)


def share_page(presentation: dict[str, Any], url: str, *, qr: str | None = None) -> str:
    """The HTML page of a share (``qr``: the printable page, with its verification QR)."""
    cards = "".join(_card(display_fields(c)) for c in _credentials(presentation))
    holder = html.escape(str(presentation.get("holder", "")))
    link = html.escape(url, quote=True)
    qr_block = (
        f"<figure class='qr'>{qr}<figcaption>Scan to verify: {html.escape(url)}</figcaption>"
        "</figure>"
        if qr
        else ""
    )
    title = "Shared credentials" if qr is None else "Credential (printable)"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{title}</title>"
        # The app's Content-Security-Policy allows no inline style: the sheet is a static file.
        "<link rel='stylesheet' href='/static/print.css'></head><body>"
        f"<h1>{title}</h1><p>Presented by <code>{holder}</code>, signed with the holder's key. "
        f"<a class='json' href='{link}' type='application/json'>Signed presentation (JSON)</a>"
        f"</p>{cards}{qr_block}</body></html>"
    )
