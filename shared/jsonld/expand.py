"""Safe JSON-LD expansion and conversion to RDF quads.

pyld silently drops what it cannot map to an absolute IRI (undefined terms,
undefined types, relative ``@id`` values). A signature over such a document
would not cover the dropped data, so here every such loss is an error
(``jsonld.dropped-term`` / ``jsonld.relative-iri``) naming the JSON path.

Relative references are detected by expanding against a sentinel base IRI that
no real document uses: anything resolved against it was relative.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from shared.errors import ContextError, JsonLdError
from shared.jsonld import engine, reuse
from shared.jsonld.contexts import KEYWORDS, Env
from shared.jsonld.loader import document_loader, pin_of
from shared.jsonld.nquads import Quad

SENTINEL_BASE = "https://relative-iri.satchel.invalid/"
_IGNORED = "ignored"  # _find_relative's answer for an @id or type pyld expanded to null
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")


def _json_paths(node: Any, key: str, path: str = "$") -> Iterator[str]:
    """Yield JSON paths where ``key`` occurs as an object member name."""
    if isinstance(node, dict):
        for k, v in node.items():
            child = f"{path}.{k}" if k.isidentifier() else f"{path}[{k!r}]"
            if k == key:
                yield child
            if k != "@context":
                yield from _json_paths(v, key, child)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _json_paths(v, key, f"{path}[{i}]")


def _find_relative(expanded: Any) -> str | None:
    """Describe the first relative IRI left in ``expanded`` (depth first, in order)."""
    if type(expanded) is list:
        for v in expanded:
            found = _find_relative(v)
            if found:
                return found
        return None
    if type(expanded) is not dict:
        return None
    for key, value in expanded.items():
        if key[:1] != "@":
            if key.startswith(SENTINEL_BASE):
                return f"property {key[len(SENTINEL_BASE) :]!r}"
        elif key == "@id":
            if value is None:
                return _IGNORED
            if type(value) is str and value.startswith(SENTINEL_BASE):
                return f"@id {value[len(SENTINEL_BASE) :]!r}"
        elif key == "@type":
            for t in value if type(value) is list else [value]:
                if type(t) is str and t.startswith(SENTINEL_BASE):
                    return f"type {t[len(SENTINEL_BASE) :]!r}"
                if t is None:
                    return _IGNORED
        elif key == "@value":
            continue
        if type(value) is list or type(value) is dict:
            found = _find_relative(value)
            if found:
                return found
    return None


def _ignored_error(document: Any) -> JsonLdError:
    # pyld expands an identifier or type that looks like a keyword ("@foo") to null.
    path, value = next(_keyword_like_values(document), ("$", None))
    return JsonLdError(
        f"{value!r} at {path} has the form of a JSON-LD keyword, so as an identifier or type "
        "it would be silently ignored; the document is refused.",
        code="jsonld.relative-iri",
        path=path,
        value=value,
    )


def _keyword_like_values(node: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@context":
                continue
            child = f"{path}.{k}" if k.isidentifier() else f"{path}[{k!r}]"
            yield from _keyword_like_values(v, child)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _keyword_like_values(v, f"{path}[{i}]")
    elif isinstance(node, str) and _KEYWORD_LIKE.match(node) and node not in KEYWORDS:
        yield path, node


def _relative_error(document: Any, what: str) -> JsonLdError:
    # ``what`` is "kind 'value'"; point at the first JSON path holding the value.
    value = what.split(" ", 1)[1].strip("'\"")
    path = _path_of_value(document, value) or "$"
    return JsonLdError(
        f"{what} at {path} is not an absolute IRI (undefined term, undefined type or "
        "relative reference); it would be silently dropped or rebased, so the document is "
        "refused.",
        code="jsonld.relative-iri",
        path=path,
        value=value,
    )


def _path_of_value(node: Any, value: str, path: str = "$") -> str | None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@context":
                continue
            child = f"{path}.{k}" if k.isidentifier() else f"{path}[{k!r}]"
            if v == value:
                return child
            found = _path_of_value(v, value, child)
            if found:
                return found
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if v == value:
                return f"{path}[{i}]"
            found = _path_of_value(v, value, f"{path}[{i}]")
            if found:
                return found
    return None


# One environment for every verification: bundled contexts only, the sentinel base.
ENV = Env(document_loader, base=SENTINEL_BASE, processing_mode="json-ld-1.1", pin_of=pin_of)


def safe_expand(document: dict[str, Any]) -> list[Any]:
    """Expand ``document`` with bundled contexts; refuse any silent data loss."""
    dropped: list[str] = []

    def on_dropped(prop: Any) -> None:
        dropped.append(str(prop))

    try:
        expanded, root = engine.expand_with_root(document, ENV, on_dropped=on_dropped)
    except Exception as exc:
        if not engine.is_pyld_error(exc):
            raise
        raise _translate(exc) from exc
    if dropped:
        term = dropped[0]
        path = next(_json_paths(document, term), "$")
        raise JsonLdError(
            f"Term {term!r} at {path} is not defined by any @context, so it would be "
            "silently dropped from what the signature covers; the document is refused.",
            code="jsonld.dropped-term",
            path=path,
            term=term,
        )
    relative = _find_relative(expanded)
    if relative == _IGNORED:
        raise _ignored_error(document)
    if relative:
        raise _relative_error(document, relative)
    reuse.remember(document, expanded, root)
    return expanded


def _translate(exc: Any) -> Exception:
    """Turn a pyld error into ours, surfacing a context error from the loader."""
    cause: Any = exc
    while cause is not None:
        if isinstance(cause, ContextError):
            return cause
        details = getattr(cause, "details", None)
        if isinstance(details, dict):
            inner = details.get("cause")
            if isinstance(inner, ContextError):
                return inner
        cause = cause.__cause__ or getattr(cause, "cause", None)
    return JsonLdError(f"JSON-LD processing failed: {exc}", code="jsonld.invalid")


def expanded_to_quads(expanded: list[Any]) -> list[Quad]:
    """Convert an already-safe expanded document to RDF quads."""
    try:
        return engine.quads(expanded, processing_mode="json-ld-1.1", rdf_direction="i18n-datatype")
    except engine.RelativeGraphName as exc:
        raise JsonLdError(
            f"Graph name {exc.args[0]!r} is not an absolute IRI.",
            code="jsonld.relative-iri",
        ) from exc
    except Exception as exc:
        if not engine.is_pyld_error(exc):
            raise
        raise _translate(exc) from exc


def to_quads(document: dict[str, Any]) -> list[Quad]:
    """Safely expand ``document`` and return its RDF quads (not yet canonical).

    The unsecured form of a document :func:`safe_expand` just accepted is not expanded
    again: its expansion is derived from that one (see :mod:`shared.jsonld.reuse`).
    """
    expanded = reuse.recall(document)
    if expanded is None:
        expanded = safe_expand(document)
    return expanded_to_quads(expanded)
