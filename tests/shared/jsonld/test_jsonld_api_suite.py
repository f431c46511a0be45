"""W3C JSON-LD 1.1 expansion and toRdf suites through Satchel's expansion/RDF path.

Every test runs through ``shared.jsonld.engine`` -- the code the verification
pipeline uses: the fast path, falling back to stock pyld where it gives up. A second
parametrization forces the fast path alone: it must either give up or give the
expected result. Skipped tests are listed below, each with its reason.
"""

from __future__ import annotations

import json

import pytest

from shared.jsonld import engine
from shared.jsonld.fastexpand import FastExpander
from shared.jsonld.fastrdf import expanded_quads
from shared.jsonld.iri import Unsupported
from shared.jsonld.rdfc import canonicalize
from tests.shared.jsonld.jsonld_api_suite import (
    SUITE,
    Case,
    canonical_dataset,
    cases,
    env_for,
    error_code,
    expand_context,
    read_input,
    same_json_ld,
)

JSON_LD_10 = "JSON-LD 1.0 behaviour (specVersion json-ld-1.0); pyld and Satchel are 1.1 processors"
GENERALIZED = "needs generalized RDF (blank-node predicates); Satchel never produces it"

# Tests that stock pyld 3.3.0 itself fails (checked with the fast path off): its own
# runner marks them pending as well.
PYLD_FAILS: dict[str, str] = {
    "toRdf#te111": "pyld 3.3.0 resolves a relative @vocab against the previous @vocab wrongly",
    "toRdf#te112": "pyld 3.3.0 resolves a relative @vocab against the previous @vocab wrongly",
    "toRdf#te122": "pyld 3.3.0 crashes on an @id that expands to null (keyword-like '@ignoreMe')",
    "toRdf#tli12": "pyld 3.3.0 keeps list items whose IRI is not well-formed (bad @base)",
    "toRdf#tli14": "pyld 3.3.0 crashes on a relative IRI inside a list (null @base)",
    "toRdf#twf05": "pyld 3.3.0 does not drop literals with an ill-formed language tag",
}


def _skip_reason(case: Case) -> str | None:
    if case.option.get("specVersion") == "json-ld-1.0":
        return JSON_LD_10
    if case.option.get("produceGeneralizedRdf"):
        return GENERALIZED
    return PYLD_FAILS.get(case.test_id)


ALL = [*cases("expand"), *cases("toRdf")]
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


def _params(items: list[Case]) -> list[object]:
    out = []
    for case in items:
        reason = _skip_reason(case)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.test_id, marks=marks))
    return out


def _run(case: Case) -> object:
    """The test's result: expanded JSON-LD, or canonical N-Quads for toRdf."""
    env = env_for(case)
    expanded = engine.expand(read_input(case), env, expand_context=expand_context(case))
    if case.manifest == "expand":
        return expanded
    quads = engine.quads(
        expanded,
        processing_mode=env.processing_mode,
        rdf_direction=case.option.get("rdfDirection"),
        strict_graph_names=False,
    )
    return canonicalize(quads)


def _expected(case: Case) -> object:
    assert case.expect is not None
    text = (SUITE / case.expect).read_text("utf-8")
    if case.manifest == "expand":
        return json.loads(text)
    return canonical_dataset(text)


@pytest.mark.parametrize("case", _params(ALL))
def test_suite(case: Case) -> None:
    if case.syntax_only:
        _run(case)
        return
    if case.positive:
        result = _run(case)
        expected = _expected(case)
        if case.manifest == "expand":
            assert same_json_ld(result, expected)
        else:
            assert result == expected
        return
    with pytest.raises(Exception) as info:
        _run(case)
    assert error_code(info.value) == case.error


def _fast_only(case: Case) -> object:
    env = env_for(case)
    expanded = FastExpander(env).expand_document(read_input(case), expand_context(case))
    if case.manifest == "expand":
        return expanded
    quads = expanded_quads(
        expanded,
        processing_mode=env.processing_mode,
        rdf_direction=case.option.get("rdfDirection"),
        strict_graph_names=False,
    )
    return canonicalize(quads)


@pytest.mark.parametrize("case", _params(ALL))
def test_fast_path_alone(case: Case) -> None:
    """The fast path either gives up or is right, for positive and negative tests."""
    try:
        result = _fast_only(case)
    except Unsupported:
        return
    assert case.positive, f"the fast path accepted a document pyld must refuse ({case.error})"
    if case.syntax_only:
        return
    expected = _expected(case)
    if case.manifest == "expand":
        assert same_json_ld(result, expected)
    else:
        assert result == expected


def test_fast_path_covers_most_of_the_suite() -> None:
    """The suite proves the fast path only if the fast path actually runs on it."""
    positive = [c for c in ALL if c.positive and _skip_reason(c) is None]
    taken = 0
    for case in positive:
        try:
            _fast_only(case)
        except Unsupported:
            continue
        taken += 1
    assert taken / len(positive) > 0.9, f"fast path ran on {taken} of {len(positive)} tests"
