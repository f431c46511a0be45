"""IRI expansion and resolution exactly as pyld 3.3 does them, without importing pyld.

``expand_iri`` is pyld's ``_expand_iri`` (JSON-LD 1.1 API 5.2.2, with pyld's quirks);
``resolve_iri`` answers an already absolute IRI without dot segments itself (pyld
returns it unchanged) and asks pyld's resolver for anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

# pyld's jsonld.KEYWORDS and DEFAULT_BASE_IRI (a test checks they stay equal).
KEYWORDS: Final = frozenset(
    {
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@first",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@omitDefault",
        "@propagate",
        "@protected",
        "@preserve",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    }
)
DEFAULT_BASE_IRI: Final = "http://example.org/base/"

_KEYWORD_LIKE: Final = re.compile(r"^@[a-zA-Z]+$")
_ABSOLUTE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")


class Unsupported(Exception):
    """The fast path cannot vouch for pyld-identical output; use pyld."""


def is_absolute_iri(value: str) -> bool:
    """pyld's notion of an absolute IRI (a scheme, a colon, no whitespace)."""
    return _ABSOLUTE.match(value) is not None


def resolve_iri(value: str, base: str | None) -> str:
    """pyld's ``iri_resolver.resolve(value, base)``.

    A value with a scheme (a colon, not starting with ``?`` or ``#``) is only cleaned
    of dot segments in its path, as pyld does; without any, it comes back unchanged,
    which is answered here. Everything else goes to pyld's resolver.
    """
    colon = value.find(":")
    if value and value[0] not in "?#" and colon >= 0:
        authority = value.startswith("//", colon + 1)
        separator = value.find("/", colon + 3 if authority else colon + 1)
        if separator < 0:
            return value
        path = value[separator:]
        ends = [i for i in (path.find("?"), path.find("#")) if i >= 0]
        if "/." not in path[: min(ends, default=len(path))]:
            return value
    from pyld.iri_resolver import resolve

    return str(resolve(value, base))


def expand_iri(
    active: Mapping[str, Any],
    value: Any,
    *,
    vocab: bool = False,
    base: str | None = None,
    local: Mapping[str, Any] | None = None,
    defined: dict[str, Any] | None = None,
    define: Callable[[str], None] | None = None,
) -> Any:
    """pyld ``_expand_iri``: ``base`` None means no document-relative resolution.

    During context processing ``local``/``defined``/``define`` define, first, the terms
    of the local context that ``value`` depends on.
    """
    if value is None or not isinstance(value, str) or value in KEYWORDS:
        return value
    if _KEYWORD_LIKE.match(value):
        return None
    if local and value in local and defined is not None and defined.get(value) is not True:
        assert define is not None
        define(value)
    mappings = active["mappings"]
    if vocab and value in mappings:
        mapping = mappings.get(value)
        return None if mapping is None else mapping["@id"]
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value.split(":", 1)
        if prefix == "_" or suffix.startswith("//"):
            return value
        if local and prefix in local and defined is not None and not defined.get(prefix):
            assert define is not None
            define(prefix)
        mapping = mappings.get(prefix)
        if mapping and mapping["_prefix"]:
            return mapping["@id"] + suffix
        if is_absolute_iri(value):
            return value
    if vocab and "@vocab" in active:
        return active["@vocab"] + value
    if base is not None and "@base" in active:
        own = active["@base"]
        if own is None:
            return value
        resolved = own if is_absolute_iri(own) else resolve_iri(own, base)
        return resolve_iri(value, resolved)
    if base == "":
        return resolve_iri(value, DEFAULT_BASE_IRI)
    if base:
        return resolve_iri(value, base)
    return value
