"""One expansion for the context check and the signature.

Verification expands a secured document twice: whole, to check that nothing is
silently dropped, and without its ``proof``, to canonicalize what was signed. The
second is the first minus the ``proof`` property of the top-level node, provided:

* the first ran on the fast path (so the top-level node's active context is known);
* the document is a single node object, and ``proof`` maps to a plain (not reverse)
  property that no other top-level key maps to, and no top-level key is ``@nest``;
* what remains is not a node pyld would drop or unwrap (empty, only ``@id``, only
  ``@graph``).

:func:`remember` keeps that derived expansion (one document: the last one with a
``proof``); :func:`recall` hands it out only for a document whose top-level keys
and values are the very objects of that document minus ``proof`` and whose JSON
encoding is unchanged (so a mutation in between is noticed). Anything else
expands afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from shared.jsonld.contexts import PROPERTY, ContextInfo

PROOF = "proof"


@dataclass(frozen=True)
class _Derived:
    keys: tuple[str, ...]
    values: tuple[Any, ...]  # held, so that identity checks cannot be fooled by reused ids
    fingerprint: bytes
    expanded: list[Any]


_last: _Derived | None = None


def _fingerprint(document: dict[str, Any]) -> bytes | None:
    try:
        return msgspec.json.encode(document)
    except (TypeError, ValueError, OverflowError):
        return None


def _without_proof(document: Any, expanded: list[Any], root: ContextInfo) -> dict[str, Any] | None:
    """The expanded top-level node without ``proof``, when that is exactly an expansion."""
    if len(expanded) != 1 or type(expanded[0]) is not dict:
        return None
    node = expanded[0]
    if "@value" in node or "@list" in node or "@set" in node:
        return None
    proof = root.term_info(PROOF)
    if proof.kind != PROPERTY or proof.reverse:
        return None
    for key in document:
        if key in (PROOF, "@context"):
            continue
        other = root.term_info(key).iri
        if other == proof.iri or other == "@nest":
            return None
    rest = {k: v for k, v in node.items() if k != proof.iri}
    if set(rest) in ({"@id"}, {"@graph"}, set()):
        return None
    return rest


def remember(document: Any, expanded: list[Any], root: ContextInfo | None) -> None:
    """Keep the expansion of ``document`` minus ``proof`` for :func:`recall`, if derivable."""
    global _last
    if root is None or type(document) is not dict or PROOF not in document:
        return
    rest = _without_proof(document, expanded, root)
    if rest is None:
        return
    unsecured = {k: v for k, v in document.items() if k != PROOF}
    fingerprint = _fingerprint(unsecured)
    if fingerprint is None:
        return
    _last = _Derived(tuple(unsecured), tuple(unsecured.values()), fingerprint, [rest])


def recall(document: Any) -> list[Any] | None:
    """The remembered expansion, if ``document`` is that remembered unsecured document."""
    last = _last
    if last is None or type(document) is not dict or tuple(document) != last.keys:
        return None
    if any(a is not b for a, b in zip(document.values(), last.values, strict=True)):
        return None
    if _fingerprint(document) != last.fingerprint:
        return None
    return last.expanded


def forget() -> None:
    """Drop the remembered expansion."""
    global _last
    _last = None
