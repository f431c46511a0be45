"""Small readers of credential JSON shapes shared by the pipeline and its checkers."""

from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list[Any]:
    """``value`` as a list: ``None`` is empty, a single value becomes a one-item list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def id_of(value: Any) -> str | None:
    """The id of a value that is a URL string or an object with an ``id`` (never empty)."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return str(value["id"])
    return None
