"""Turning what a person submits into something to verify.

Accepted: a JSON body (``credential`` / ``presentation`` / ``jwt`` / ``url``, or the
credential itself), a raw JWT or JSON text body, a raw PNG/SVG body, a multipart upload
(``file`` plus the same fields), or a URL fetched through the guarded fetcher (a
Satchel share link or any link to a credential, presentation or baked badge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.baked import extract_baked, is_png, looks_like_svg
from shared.errors import InputError, ServiceError
from shared.fetch import Fetcher
from shared.verification.parse import InputLimits, looks_like_jwt, parse_input, parse_json

ACCEPT_FOR_URLS = (
    "application/vp+jwt, application/vc+jwt, application/vp, application/vc, "
    "application/ld+json, application/json;q=0.9, application/jwt;q=0.9, "
    "image/png;q=0.5, image/svg+xml;q=0.5, text/plain;q=0.3"
)
_OPTION_FIELDS = ("recipient_email", "challenge", "domain", "receipt")
_SOURCES = ("credential", "presentation", "jwt", "url")


@dataclass
class Submission:
    """What to verify, where it came from, and the options sent with it."""

    document: dict[str, Any] | str | None
    source: str
    url: str | None = None
    recipient_email: str | None = None
    challenge: str | None = None
    domain: str | None = None
    receipt: bool = False


def decode_bytes(data: bytes, limits: InputLimits) -> tuple[dict[str, Any] | str, str]:
    """A document from bytes: a baked PNG/SVG, or JSON / JWT text. Returns (document, kind)."""
    if is_png(data):
        return extract_baked(data, max_text_bytes=limits.max_bytes), "png"
    if looks_like_svg(data):
        return extract_baked(data, max_text_bytes=limits.max_bytes), "svg"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            "The upload is neither a baked PNG/SVG badge nor UTF-8 text.", code="input.not-utf8"
        ) from exc
    document = parse_input(text.lstrip("\ufeff"), limits)
    return document, "jwt" if isinstance(document, str) else "json"


def _text(value: Any, name: str, limit: int = 2048) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ServiceError(f"{name} must be a string.", code="request.invalid", status=400)
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return False


def _options(fields: dict[str, Any], submission: Submission) -> Submission:
    submission.recipient_email = _text(fields.get("recipient_email"), "recipient_email", 320)
    submission.challenge = _text(fields.get("challenge"), "challenge")
    submission.domain = _text(fields.get("domain"), "domain")
    submission.receipt = _bool(fields.get("receipt"))
    return submission


def from_json(body: Any) -> Submission:
    """A submission from a JSON body."""
    if not isinstance(body, dict):
        raise ServiceError(
            "Send a JSON object: {credential|presentation|jwt|url, ...}.",
            code="request.invalid",
            status=400,
        )
    given = [name for name in _SOURCES if body.get(name) is not None]
    if not given and ("@context" in body or "type" in body):
        return Submission(document=body, source="json")
    if len(given) != 1:
        raise ServiceError(
            "Give exactly one of credential, presentation, jwt or url.",
            code="request.invalid",
            status=400,
        )
    unknown = set(body) - {*_SOURCES, *_OPTION_FIELDS}
    if unknown:
        raise ServiceError(
            f"Unknown member(s): {', '.join(sorted(unknown))}.",
            code="request.invalid",
            status=400,
        )
    name = given[0]
    value = body[name]
    if name == "url":
        return _options(body, Submission(document=None, source="url", url=_text(value, "url")))
    if name == "jwt":
        if not isinstance(value, str) or not looks_like_jwt(value):
            raise ServiceError("jwt must be a compact JWS.", code="input.not-jwt", status=400)
        return _options(body, Submission(document=value.strip(), source="jwt"))
    if isinstance(value, str) and looks_like_jwt(value):
        return _options(body, Submission(document=value.strip(), source="jwt"))
    if not isinstance(value, dict):
        raise ServiceError(
            f"{name} must be a JSON object or a JWT string.", code="input.not-object", status=400
        )
    return _options(body, Submission(document=value, source="json"))


def from_form(fields: dict[str, Any], file_bytes: bytes | None, limits: InputLimits) -> Submission:
    """A submission from a multipart form (``file``, or ``text``/``url``, plus options)."""
    if file_bytes is not None:
        document, kind = decode_bytes(file_bytes, limits)
        return _options(fields, Submission(document=document, source=kind))
    url = fields.get("url")
    if url:
        return _options(fields, Submission(document=None, source="url", url=_text(url, "url")))
    text = fields.get("text")
    if isinstance(text, str) and text.strip():
        document, kind = decode_bytes(text.encode("utf-8"), limits)
        return _options(fields, Submission(document=document, source=kind))
    raise ServiceError(
        "Upload a file (field 'file') or give 'text' or 'url'.",
        code="request.invalid",
        status=400,
    )


def from_raw(data: bytes, content_type: str, limits: InputLimits) -> Submission:
    """A submission from a raw body (JWT, JSON text, PNG or SVG)."""
    if content_type.startswith("application/json"):
        return from_json(parse_json(data, limits))
    document, kind = decode_bytes(data, limits)
    return Submission(document=document, source=kind)


async def fetch_document(
    fetcher: Fetcher, url: str, limits: InputLimits
) -> tuple[dict[str, Any] | str, str]:
    """Fetch ``url`` through the guarded fetcher and decode what it holds."""
    result = await fetcher.get(url, accept=ACCEPT_FOR_URLS, use_cache=False)
    document, kind = decode_bytes(result.body, limits)
    return document, kind
