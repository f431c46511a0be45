"""The JSON-LD fast path against stock pyld, on generated credentials.

For every generated document the fast path (memoized contexts, own expansion and RDF
conversion) and stock pyld must agree: the same expanded form, the same canonical
N-Quads, and the same refusal (error code, JSON path, message) when the document is
unsafe. Where no control character is involved (pyld's N-Quads serializer escapes too
little) and no blank node refers to itself (pyld's URDNA2015 lists such a quad twice in
its blank-node-to-quads map) the canonical form must also equal ``jsonld.normalize``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, given, settings
from pyld import jsonld

from shared.errors import SatchelError
from shared.jsonld import engine
from shared.jsonld.expand import ENV, safe_expand, to_quads
from shared.jsonld.loader import document_loader
from shared.jsonld.rdfc import canonicalize
from tests.shared.jsonld.credential_strategies import documents

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextmanager
def _stock_pyld() -> Iterator[None]:
    engine.set_fast_path(False)
    try:
        yield
    finally:
        engine.set_fast_path(True)


def _outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except SatchelError as exc:
        return "error", (exc.code, exc.details, str(exc))


def _has_control_characters(doc: Any) -> bool:
    if isinstance(doc, dict):
        return any(_has_control_characters(k) or _has_control_characters(v) for k, v in doc.items())
    if isinstance(doc, list):
        return any(_has_control_characters(v) for v in doc)
    return isinstance(doc, str) and any(ord(c) < 0x20 or ord(c) == 0x7F for c in doc)


def _self_loop(doc: Any) -> bool:
    """A quad naming one blank node twice: pyld's URDNA2015 then hashes it twice
    (RDFC-1.0 and the JavaScript reference once), so their labels may differ."""
    for s, _, o, g in to_quads(doc):
        terms = [t for t in (s, o, g) if t.startswith("_:")]
        if len(terms) != len(set(terms)):
            return True
    return False


@SETTINGS
@given(documents)
def test_expansion_matches_pyld(doc: dict[str, Any]) -> None:
    fast = _outcome(lambda: safe_expand(doc))
    with _stock_pyld():
        slow = _outcome(lambda: safe_expand(doc))
    assert fast == slow


@SETTINGS
@given(documents)
def test_canonical_nquads_match_pyld(doc: dict[str, Any]) -> None:
    fast = _outcome(lambda: canonicalize(to_quads(doc)))
    with _stock_pyld():
        slow = _outcome(lambda: canonicalize(to_quads(doc)))
    assert fast == slow
    if fast[0] == "ok" and not _has_control_characters(doc) and not _self_loop(doc):
        stock = jsonld.normalize(
            doc,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "base": None,
                "documentLoader": document_loader,
                "rdfDirection": "i18n-datatype",
            },
        )
        assert fast[1] == stock


@SETTINGS
@given(documents)
def test_fast_path_runs_on_generated_documents(doc: dict[str, Any]) -> None:
    """Safe documents take the fast path; it gives up only where pyld would fail."""
    before = engine.stats["expand.fast"]
    try:
        safe_expand(doc)
    except SatchelError:
        return
    assert engine.stats["expand.fast"] == before + 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_cold_and_warm_caches_agree(doc: dict[str, Any]) -> None:
    warm = _outcome(lambda: canonicalize(to_quads(doc)))
    ENV.clear()
    cold = _outcome(lambda: canonicalize(to_quads(doc)))
    assert warm == cold
