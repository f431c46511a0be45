"""Canonical forms that Data Integrity suites hash: RDFC-1.0 N-Quads and RFC 8785 JCS."""

from __future__ import annotations

import hashlib
from typing import Any

from shared.errors import ProofError
from shared.jsonld.expand import to_quads
from shared.jsonld.rdfc import canonicalize

JS_SAFE_INTEGER = 2**53


def rdfc(document: dict[str, Any], *, hash_name: str = "sha256", js_compat: bool = False) -> str:
    """Canonical N-Quads of ``document`` (safe expansion, then RDFC-1.0).

    ``js_compat`` reproduces the JavaScript reference's departures from the spec
    (integers beyond 2^53 read as doubles, lines ordered by UTF-16 code units);
    it exists only to recognise signatures made that way.
    """
    source = _js_numbers(document) if js_compat else document
    quads = to_quads(source)
    return canonicalize(quads, hash_algorithm=hash_name, utf16_order=js_compat)


def jcs(document: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of ``document``."""
    import rfc8785  # lazy: only the *-jcs-* suites need it

    try:
        return bytes(rfc8785.dumps(document))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ProofError(
            f"The document cannot be canonicalized with JCS: {exc}", code="proof.jcs-invalid"
        ) from exc


_HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}


def digest(data: bytes | str, hash_name: str) -> bytes:
    """Hash ``data`` (UTF-8 when text) with sha256 or sha384."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    constructor = _HASHES.get(hash_name)
    if constructor is None:  # hashlib.new is slower; kept for any other name
        return hashlib.new(hash_name, raw).digest()
    return constructor(raw).digest()


def needs_js_compat(document: Any) -> bool:
    """True when the JavaScript reference would canonicalize ``document`` differently."""
    if isinstance(document, dict):
        return any(needs_js_compat(k) or needs_js_compat(v) for k, v in document.items())
    if isinstance(document, list):
        return any(needs_js_compat(v) for v in document)
    if isinstance(document, bool):
        return False
    if isinstance(document, int):
        return abs(document) > JS_SAFE_INTEGER
    if isinstance(document, str):
        return any(ord(c) > 0xFFFF for c in document)
    return False


def _js_numbers(value: Any) -> Any:
    """Round integers beyond 2^53 the way a JavaScript JSON parser does."""
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > JS_SAFE_INTEGER:
        as_float = float(value)
        return int(as_float) if abs(as_float) < 1e21 else as_float
    return value
