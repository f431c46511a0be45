"""Where credentials come from: bytes (file or paste), a URL, a scanned payload.

Each source becomes a list of :class:`Arrival` (original bytes + parsed
document); verification and the foyer are the caller's. A presentation yields
each credential it carries (its holder's proof is reported, not required).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from shared.baked import extract_baked, is_png, looks_like_svg
from shared.errors import InputError, SatchelError
from shared.jose import decode_vc_jwt, parse_jws
from shared.service.runtime import Runtime
from shared.shapes import as_list
from shared.verification.parse import InputLimits, parse_input
from wallet.common import dumps
from wallet.credentials import Arrival

MAX_IMPORT_BYTES = 1_000_000
_ACCEPT = (
    "application/vc+ld+json, application/vc+jwt, application/vp+ld+json, application/ld+json, "
    "application/json;q=0.9, application/jwt;q=0.9, image/png;q=0.8, image/svg+xml;q=0.8, "
    "text/plain;q=0.5"
)


@dataclass
class Parsed:
    """What a source held: credentials, and the presentation they came in (if any)."""

    arrivals: list[Arrival]
    presentation: dict[str, Any] | str | None = None


def _is_presentation(document: dict[str, Any] | str) -> bool:
    if isinstance(document, str):
        try:
            parsed = parse_jws(document)
            return decode_vc_jwt(parsed.header, parsed.payload).kind == "presentation"
        except SatchelError:
            return False
    return "VerifiablePresentation" in as_list(document.get("type"))


def _credentials_of_presentation(document: dict[str, Any] | str) -> list[dict[str, Any] | str]:
    if isinstance(document, str):
        parsed = parse_jws(document)
        inner = decode_vc_jwt(parsed.header, parsed.payload).document
    else:
        inner = document
    out: list[dict[str, Any] | str] = []
    for item in as_list(inner.get("verifiableCredential")):
        if isinstance(item, dict) and "EnvelopedVerifiableCredential" in as_list(item.get("type")):
            ident = str(item.get("id", ""))
            _, _, payload = ident.partition(",")
            out.append(urllib.parse.unquote(payload))
        elif isinstance(item, dict | str):
            out.append(item)
    return out


def parse_bytes(data: bytes, *, source: str) -> Parsed:
    """Parse uploaded/pasted bytes: JSON (credential or presentation), a JWT, a baked image."""
    if not data.strip():
        raise InputError("Nothing to import: the input is empty.", code="import.empty")
    if len(data) > MAX_IMPORT_BYTES:
        raise InputError(
            f"The input is {len(data)} bytes; the limit is {MAX_IMPORT_BYTES}.",
            code="input.too-large",
        )
    if is_png(data) or looks_like_svg(data):
        baked = extract_baked(data)
        raw = baked.encode("utf-8") if isinstance(baked, str) else dumps(baked).encode("utf-8")
        document: dict[str, Any] | str = baked
        source = f"{source}:baked"
    else:
        try:
            document = parse_input(data, InputLimits(max_bytes=MAX_IMPORT_BYTES))
        except UnicodeDecodeError as exc:
            raise InputError("The input is not UTF-8 text.", code="input.not-utf8") from exc
        raw = data
    return credentials_in(document, raw, source=source)


def credentials_in(document: dict[str, Any] | str, raw: bytes, *, source: str) -> Parsed:
    """The credential arrivals of a parsed document (each credential of a presentation)."""
    if not _is_presentation(document):
        return Parsed([Arrival(raw, document, source)])
    items = _credentials_of_presentation(document)
    if not items:
        raise InputError("The presentation carries no credential.", code="import.empty")
    arrivals = [
        Arrival(
            item.encode("utf-8") if isinstance(item, str) else dumps(item).encode("utf-8"),
            item,
            f"{source}:presentation",
        )
        for item in items
    ]
    return Parsed(arrivals, presentation=document)


async def fetch_url(runtime: Runtime, url: str) -> tuple[bytes, str | None]:
    """GET ``url`` through the guarded fetcher (the learner asked for it)."""
    result = await runtime.fetcher.get(url, accept=_ACCEPT, use_cache=False)
    return result.body, result.content_type


def interaction_protocols(body: bytes) -> dict[str, str] | None:
    """The ``protocols`` map of a VC-API interaction URL's answer, if it is one."""
    try:
        value = parse_input(body)
    except (InputError, UnicodeDecodeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("protocols"), dict):
        return {k: v for k, v in value["protocols"].items() if isinstance(v, str)}
    return None
