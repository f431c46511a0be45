"""Small helpers every part of the wallet uses: ids, time, JSON, typed HTTP errors."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from shared.errors import ServiceError


def new_id() -> str:
    """A random identifier (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def iso(moment: datetime) -> str:
    """RFC 3339 UTC with seconds and a ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse a time written by :func:`iso` (or any RFC 3339 text Python reads)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def sha256_hex(data: bytes | str) -> str:
    """Hex SHA-256 of bytes (or UTF-8 text)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def dumps(value: Any) -> str:
    """Compact JSON text."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def not_found(what: str) -> ServiceError:
    """404: the thing does not exist *for this learner* (never says whether it exists)."""
    return ServiceError(f"No such {what}.", code="not-found", status=404)


def bad_request(message: str, code: str, status: int = 400) -> ServiceError:
    """A 4xx problem with a stable code."""
    return ServiceError(message, code=code, status=status)


def problem_response(status: int, code: str, detail: str, **extra: Any) -> Any:
    """An ``application/problem+json`` response carrying extra members (e.g. a report)."""
    from litestar import Response

    body = {
        "type": "https://satchel.dev/problems/" + code,
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(body, status_code=status, media_type="application/problem+json")
