"""Reusing the context check's expansion for the unsecured document (shared.jsonld.reuse)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from shared.jsonld import engine, reuse
from shared.jsonld.expand import safe_expand, to_quads
from shared.jsonld.rdfc import canonicalize
from shared.verification.pipeline import verify
from tests.shared.jsonld.credential_strategies import documents

EXAMPLE = Path(__file__).resolve().parents[3] / "shared/examples/ob3-example.json"


def _example() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return doc


def _unsecured(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "proof"}


def _fresh_canonical(doc: dict[str, Any]) -> str:
    reuse.forget()
    return canonicalize(to_quads(copy.deepcopy(doc)))


def test_the_unsecured_document_is_not_expanded_twice() -> None:
    doc = _example()
    safe_expand(doc)
    before = engine.stats["expand.fast"] + engine.stats["expand.pyld"]
    derived = canonicalize(to_quads(_unsecured(doc)))
    assert engine.stats["expand.fast"] + engine.stats["expand.pyld"] == before
    assert derived == _fresh_canonical(_unsecured(doc))


async def test_a_verification_expands_the_credential_once_and_the_proof_config_once() -> None:
    doc = _example()
    before = engine.stats["expand.fast"]
    report = await verify(doc)
    assert report.verified
    assert engine.stats["expand.fast"] - before == 2


def test_a_mutation_in_between_is_noticed() -> None:
    doc = _example()
    safe_expand(doc)
    unsecured = _unsecured(doc)
    unsecured["credentialSubject"]["achievement"]["name"] = "Changed"
    assert reuse.recall(unsecured) is None
    assert "Changed" in canonicalize(to_quads(unsecured))


def test_an_equal_but_different_document_expands_afresh() -> None:
    doc = _example()
    safe_expand(doc)
    assert reuse.recall(copy.deepcopy(_unsecured(doc))) is None
    assert reuse.recall(_unsecured(doc)) is not None


@pytest.mark.parametrize(
    ("proof_term", "proof_value", "derivable"),
    [
        ({"@id": "https://w3id.org/security#proof"}, {"@id": "https://example.org/p"}, True),
        ("@nest", {"name": "nested"}, False),
        ({"@reverse": "https://example.org/proofOf"}, {"@id": "https://example.org/p"}, False),
    ],
    ids=["plain", "nest", "reverse"],
)
def test_derivation_only_when_proof_is_a_plain_property(
    proof_term: Any, proof_value: Any, derivable: bool
) -> None:
    doc = {
        "@context": {"@version": 1.1, "name": "https://schema.org/name", "proof": proof_term},
        "@id": "https://example.org/x",
        "name": "x",
        "proof": proof_value,
    }
    reuse.forget()
    safe_expand(doc)
    derived = reuse.recall(_unsecured(doc))
    assert (derived is not None) == derivable
    assert canonicalize(to_quads(_unsecured(doc))) == _fresh_canonical(_unsecured(doc))


def test_no_derivation_when_two_keys_expand_to_the_proof_property() -> None:
    doc = _example()
    doc["@context"] = [*doc["@context"], {"sec_proof": "https://w3id.org/security#proof"}]
    doc["sec_proof"] = {"@id": "https://example.org/other-proof"}
    reuse.forget()
    try:
        safe_expand(doc)
    except Exception:
        return  # a protected context may refuse the extra term: nothing to derive then
    assert reuse.recall(_unsecured(doc)) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_derived_quads_equal_fresh_quads(doc: dict[str, Any]) -> None:
    try:
        safe_expand(doc)
    except Exception:
        return
    unsecured = _unsecured(doc)
    derived = canonicalize(to_quads(unsecured))
    assert derived == _fresh_canonical(unsecured)
