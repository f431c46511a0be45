"""Parsing untrusted input: size, depth and duplicate-member limits, JWT detection."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.errors import InputError

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_DEPTH = 64


@dataclass(frozen=True)
class InputLimits:
    """Limits on untrusted documents."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_credentials: int = 100


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(
                f"Duplicate JSON member name {key!r}: refusing an ambiguous document.",
                code="input.duplicate-key",
                key=key,
            )
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise InputError(f"JSON constant {name} is not valid JSON.", code="input.not-json")


def strict_loads(text: str) -> Any:
    """``json.loads`` refusing duplicate member names and NaN/Infinity (``InputError``)."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


def depth_of(value: Any, limit: int) -> int:
    """Nesting depth of ``value``; raise ``InputError`` once it passes ``limit``."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise InputError(
                f"The document is nested deeper than {limit} levels.", code="input.too-deep"
            )
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def parse_json(data: bytes | str, limits: InputLimits | None = None) -> Any:
    """Parse JSON text under ``limits``: size, nesting depth, no duplicate members."""
    limits = limits or InputLimits()
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > limits.max_bytes:
        raise InputError(
            f"The document is {len(raw)} bytes; the limit is {limits.max_bytes}.",
            code="input.too-large",
        )
    # Bound nesting before the recursive parser sees the text.
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limits.max_depth:
                raise InputError(
                    f"The document is nested deeper than {limits.max_depth} levels.",
                    code="input.too-deep",
                )
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        return strict_loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError("The document is not UTF-8 text.", code="input.not-utf8") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"The document is not valid JSON: {exc}", code="input.not-json") from exc
    except RecursionError as exc:
        raise InputError("The document is nested too deeply.", code="input.too-deep") from exc


def looks_like_jwt(text: str) -> bool:
    """True for compact JWS text (three base64url parts)."""
    parts = text.strip().split(".")
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return len(parts) == 3 and all(parts[:2]) and all(set(p) <= alphabet for p in parts)


def parse_input(data: bytes | str, limits: InputLimits | None = None) -> dict[str, Any] | str:
    """Parse a credential/presentation given as JSON text or a compact JWT."""
    limits = limits or InputLimits()
    text = data.decode("utf-8", errors="strict") if isinstance(data, bytes) else data
    if len(text.encode("utf-8")) > limits.max_bytes:
        raise InputError(
            f"The input is larger than {limits.max_bytes} bytes.", code="input.too-large"
        )
    stripped = text.strip()
    if looks_like_jwt(stripped):
        return stripped
    value = parse_json(stripped, limits)
    if isinstance(value, str) and looks_like_jwt(value):
        return value
    if not isinstance(value, dict):
        raise InputError(
            "Expected a JSON object (a credential or presentation) or a JWT.",
            code="input.not-object",
        )
    return value
