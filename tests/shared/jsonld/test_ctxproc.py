"""Satchel's own context processing against pyld's, call by call.

Every top-level call of :meth:`ContextProcessor.process` made while expanding the W3C
suite documents, Satchel's credential vectors and generated credentials is repeated
with pyld's ``_process_context`` on the same active context: where pyld refuses, ours
must refuse too; where both succeed, the active contexts must be equal (term
definitions, vocabulary, base, language, direction, processing mode, previous
context). Ours may give up where pyld succeeds (pyld then runs), but rarely.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from shared.jsonld.contexts import Env
from shared.jsonld.ctxproc import ContextProcessor
from shared.jsonld.expand import SENTINEL_BASE
from shared.jsonld.fastexpand import FastExpander
from shared.jsonld.iri import DEFAULT_BASE_IRI, KEYWORDS, Unsupported, resolve_iri
from shared.jsonld.loader import document_loader, pin_of
from tests.shared.jsonld.credential_strategies import documents
from tests.shared.jsonld.jsonld_api_suite import cases, env_for, expand_context, read_input

VECTORS = Path(__file__).resolve().parents[2] / "vectors"

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


def test_constants_match_pyld() -> None:
    assert frozenset(jsonld.KEYWORDS) == KEYWORDS
    assert jsonld.DEFAULT_BASE_IRI == DEFAULT_BASE_IRI


def _shape(ctx: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in ctx.items() if k not in ("_uuid", "previousContext")}
    if ctx.get("previousContext") is not None:
        out["previousContext"] = _shape(ctx["previousContext"])
    out["mappings"] = dict(ctx["mappings"])
    return out


class Recorder:
    """Wraps ContextProcessor.process: compares each top-level call with pyld."""

    def __init__(self) -> None:
        self.compared = 0
        self.gave_up = 0
        self.problems: list[str] = []
        self._inner = ContextProcessor.process

    def __call__(
        self,
        processor: ContextProcessor,
        active: Mapping[str, Any],
        local: Any,
        *,
        override_protected: bool = False,
        propagate: bool = True,
        cycles: set[str] | None = None,
    ) -> Mapping[str, Any]:
        nested = cycles is not None
        own: Mapping[str, Any] | None = None
        try:
            own = self._inner(
                processor,
                active,
                copy.deepcopy(local),
                override_protected=override_protected,
                propagate=propagate,
                cycles=cycles,
            )
        except Exception:
            if nested:
                raise
        if nested:
            assert own is not None
            return own
        options = {
            "documentLoader": processor.loader,
            "base": processor.base,
            "processingMode": processor.processing_mode,
            "contextResolver": ContextResolver({}, processor.loader),
        }
        try:
            theirs = jsonld.JsonLdProcessor()._process_context(
                active,
                copy.deepcopy(local),
                options,
                override_protected=override_protected,
                propagate=propagate,
            )
        except Exception as exc:
            if own is not None:
                self.problems.append(
                    f"pyld refused ({exc!r:.80}) what ours accepted: {local!r:.200}"
                )
            raise Unsupported("refused by pyld") from exc
        if own is None:
            self.gave_up += 1
            raise Unsupported("ours gave up")
        self.compared += 1
        if _shape(own) != _shape(theirs):
            self.problems.append(f"different result for {local!r:.200}")
        return own

    def method(self) -> Any:
        """A function to put in place of ContextProcessor.process (bound like a method)."""

        def process(processor: ContextProcessor, *args: Any, **kwargs: Any) -> Any:
            return self(processor, *args, **kwargs)

        return process


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder()
    monkeypatch.setattr(ContextProcessor, "process", rec.method())
    yield rec


def _expand(doc: Any, env: Env, expand_ctx: Any = None) -> None:
    with contextlib.suppress(Unsupported):
        FastExpander(env).expand_document(doc, expand_ctx)


def test_on_the_w3c_suites(recorder: Recorder) -> None:
    for case in [*cases("expand"), *cases("toRdf")]:
        if case.option.get("specVersion") == "json-ld-1.0":
            continue
        _expand(read_input(case), env_for(case), expand_context(case))
    assert recorder.problems == []
    assert recorder.compared > 500
    assert recorder.gave_up < recorder.compared / 10


def _credential_vectors() -> Iterator[Any]:
    for path in sorted(VECTORS.rglob("*.json")):
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(doc, dict) and "@context" in doc:
            yield doc


def _satchel_env() -> Env:
    return Env(document_loader, base=SENTINEL_BASE, pin_of=pin_of)


def test_on_the_credential_vectors(recorder: Recorder) -> None:
    env = _satchel_env()
    count = 0
    for doc in _credential_vectors():
        _expand(doc, env)
        count += 1
    assert count > 50
    assert recorder.problems == []
    assert recorder.compared > 20
    assert recorder.gave_up == 0


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(documents)
def test_on_generated_credentials(doc: dict[str, Any]) -> None:
    rec = Recorder()
    original = ContextProcessor.process
    ContextProcessor.process = rec.method()  # type: ignore[method-assign]
    try:
        _expand(doc, _satchel_env())
    finally:
        ContextProcessor.process = original  # type: ignore[method-assign]
    assert rec.problems == []


@settings(max_examples=500, deadline=None)
@given(
    value=st.text(alphabet="ab:/.?#%@_-~", max_size=24),
    base=st.sampled_from(
        ["", "https://example.org/a/b/c", "http://x.org", "urn:x:y", "https://e.org/a?q#f"]
    ),
)
def test_resolve_iri_matches_pyld(value: str, base: str) -> None:
    from pyld.iri_resolver import resolve

    try:
        expected: Any = resolve(value, base)
    except Exception as exc:
        expected = type(exc)
    try:
        got: Any = resolve_iri(value, base)
    except Exception as exc:
        got = type(exc)
    assert got == expected
