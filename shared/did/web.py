"""did:web resolution through the guarded fetcher.

``did:web:<host>[%3A<port>][:<path>...]`` maps to
``https://<host>[:<port>]/<path>/did.json``, or to ``/.well-known/did.json`` without a path.

Scheme rule (kept only in :func:`_scheme_for`): the URL is always ``https``, except for a
host that the fetch policy allowlists (``allow_hosts``, for local testing and intranets),
which is fetched over plain ``http``. Without a policy the URL is always ``https``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from shared.errors import DidError, FetchError
from shared.fetch import Fetcher, FetchPolicy

__all__ = ["DID_WEB_ACCEPT", "did_web_url", "resolve_did_web"]

DID_WEB_ACCEPT = "application/did+json, application/json"

_PREFIX = "did:web:"
_MAX_DID_LENGTH = 2048
# DID Core: idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded; ":" separates segments.
_SEGMENT = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
_PORT_SEPARATOR = re.compile(r"%3a", re.IGNORECASE)
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")


def _invalid(did: str, why: str) -> DidError:
    return DidError(f"{did!r} is not a valid did:web identifier: {why}.", code="did.invalid")


def _split_host(did: str, segment: str) -> tuple[str, int | None]:
    """Decode the host segment (only ``%3A`` before a port may be percent-encoded)."""
    parts = _PORT_SEPARATOR.split(segment)
    if len(parts) > 2:
        raise _invalid(did, "more than one port separator")
    host = parts[0]
    port: int | None = None
    if len(parts) == 2:
        if not parts[1].isdigit() or not 0 < int(parts[1]) < 65536:
            raise _invalid(did, "bad port")
        port = int(parts[1])
    if "%" in host or len(host) > 253 or not host:
        raise _invalid(did, "bad host")
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise _invalid(did, "bad host")
    return host, port


def _check_path_segment(did: str, segment: str) -> None:
    decoded = _PCT.sub(lambda m: chr(int(m.group(1), 16)), segment)
    if decoded in (".", "..") or any(c in decoded for c in "/\\?#") or not decoded.isprintable():
        raise _invalid(did, f"unsafe path segment {segment!r}")


def _scheme_for(host: str, port: int | None, policy: FetchPolicy | None) -> str:
    """The one place the scheme is chosen: ``http`` only for allowlisted hosts."""
    if policy is not None and policy.is_allowlisted(host, port if port is not None else 80):
        return "http"
    return "https"


def did_web_url(did: str, *, policy: FetchPolicy | None = None) -> str:
    """The URL of the DID document of ``did`` per the did:web method specification.

    ``https`` unless ``policy`` allowlists the host (then ``http``). Raises DidError
    ``did.invalid`` for malformed identifiers, query/fragment/path parts, unsafe segments.
    """
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise _invalid(str(did), "must start with 'did:web:'")
    if len(did) > _MAX_DID_LENGTH:
        raise _invalid(did[:64] + "...", "too long")
    msid = did[len(_PREFIX) :]
    if any(c in msid for c in "?#/"):
        raise _invalid(did, "query, fragment and path are not part of a DID")
    segments = msid.split(":")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise _invalid(did, "empty segment or characters outside the DID syntax")
    host, port = _split_host(did, segments[0])
    for segment in segments[1:]:
        _check_path_segment(did, segment)
    authority = host if port is None else f"{host}:{port}"
    path = "/".join(segments[1:]) if len(segments) > 1 else ".well-known"
    return f"{_scheme_for(host, port, policy)}://{authority}/{path}/did.json"


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


async def resolve_did_web(did: str, fetcher: Fetcher) -> dict[str, Any]:
    """Fetch and check the DID document of ``did``; return it as a raw dict.

    Raises DidError: ``did.invalid`` (bad DID), ``did.unresolvable`` (any fetch failure,
    the fetch error code is in the message and ``details["fetch_code"]``),
    ``did.invalid-document`` (not a JSON object) or ``did.id-mismatch``.
    """
    url = did_web_url(did, policy=fetcher.policy)
    try:
        result = await fetcher.get(url, accept=DID_WEB_ACCEPT)
    except FetchError as exc:
        raise DidError(
            f"Cannot resolve {did}: fetching {url} failed ({exc.code}: {exc.message})",
            code="did.unresolvable",
            did=did,
            url=url,
            fetch_code=exc.code,
        ) from exc
    try:
        document = json.loads(result.body.decode("utf-8"), object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DidError(
            f"The DID document of {did} at {url} is not valid JSON: {exc}",
            code="did.invalid-document",
            did=did,
            url=url,
        ) from exc
    if not isinstance(document, dict):
        raise DidError(
            f"The DID document of {did} at {url} is not a JSON object.",
            code="did.invalid-document",
            did=did,
            url=url,
        )
    if document.get("id") != did:
        raise DidError(
            f"The DID document at {url} describes {document.get('id')!r}, not {did}.",
            code="did.id-mismatch",
            did=did,
            url=url,
        )
    return document
