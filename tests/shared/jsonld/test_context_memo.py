"""The processed-context memo: bounded, keyed by everything that changes the result."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.jsonld import engine
from shared.jsonld.contexts import MAX_IRIS_PER_CONTEXT, Env
from shared.jsonld.expand import SENTINEL_BASE
from shared.jsonld.loader import document_loader, pin_of
from shared.jsonld.lru import Lru

VC2 = "https://www.w3.org/ns/credentials/v2"


def test_lru_evicts_the_least_recently_used_entry() -> None:
    lru: Lru[str, int] = Lru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the oldest
    lru.put("c", 3)
    assert lru.get("b") is None
    assert (lru.get("a"), lru.get("c"), len(lru)) == (1, 3, 2)
    with pytest.raises(ValueError):
        Lru(0)


def _env(**kwargs: Any) -> Env:
    return Env(document_loader, base=SENTINEL_BASE, pin_of=pin_of, **kwargs)


def _doc(context: Any, **extra: Any) -> dict[str, Any]:
    return {"@context": context, "@id": "https://example.org/x", **extra}


def test_the_memo_stays_bounded_with_many_distinct_inline_contexts() -> None:
    env = _env(max_contexts=8)
    for i in range(50):
        context = {"@version": 1.1, f"term{i}": f"https://example.org/t{i}"}
        expanded = engine.expand(_doc(context, **{f"term{i}": "v"}), env)
        assert expanded[0][f"https://example.org/t{i}"] == [{"@value": "v"}]
    assert len(env._memo) <= 8
    assert len(env._infos) <= 16


def test_inline_contexts_with_the_same_terms_in_another_order_do_not_collide() -> None:
    env = _env()
    first = {"a": "https://example.org/a", "b": "https://example.org/b"}
    second = {"b": "https://example.org/b", "a": "https://example.org/other"}
    one = engine.expand(_doc(first, a="x"), env)
    two = engine.expand(_doc(second, a="x"), env)
    assert "https://example.org/a" in one[0]
    assert "https://example.org/other" in two[0]


def test_a_context_url_is_keyed_with_its_pin() -> None:
    pins = {VC2: "pin-1"}
    env = Env(document_loader, base=SENTINEL_BASE, pin_of=lambda url: pins.get(url))
    assert env.local_key(VC2) == ("url", VC2, "pin-1")
    pins[VC2] = "pin-2"
    assert env.local_key(VC2) == ("url", VC2, "pin-2")
    assert env.local_key([VC2]) == ("urls", ((VC2, "pin-2"),))


def test_environments_with_different_bases_do_not_share_results() -> None:
    doc = {"@context": {"@vocab": "https://example.org/v#"}, "@id": "relative", "p": "v"}
    one = engine.expand(copy.deepcopy(doc), Env(document_loader, base="https://a.example/"))
    two = engine.expand(copy.deepcopy(doc), Env(document_loader, base="https://b.example/"))
    assert one[0]["@id"] == "https://a.example/relative"
    assert two[0]["@id"] == "https://b.example/relative"


def test_per_context_iri_caches_stay_bounded() -> None:
    env = _env()
    doc = _doc(
        {"@vocab": "https://example.org/v#"},
        **{f"p{i}": {"@id": f"https://example.org/n{i}"} for i in range(3 * MAX_IRIS_PER_CONTEXT)},
    )
    engine.expand(doc, env)
    contexts = list(env._infos._data.values())
    assert contexts
    for info in contexts:
        for cache in (info._by_vocab, info._by_base, info._by_vocab_base, info._terms):
            assert len(cache) <= MAX_IRIS_PER_CONTEXT


def test_clearing_the_environment_gives_the_same_results() -> None:
    env = _env()
    doc = _doc([VC2], type="VerifiableCredential", issuer="did:example:1")
    warm = engine.expand(copy.deepcopy(doc), env)
    env.clear()
    assert engine.expand(copy.deepcopy(doc), env) == warm


def test_long_keys_are_expanded_but_not_memoized() -> None:
    env = _env()
    long_key = "p" + "x" * 1000
    doc = _doc(
        {"@vocab": "https://example.org/v#"}, **{long_key: {"@id": "https://e.org/" + long_key}}
    )
    expanded = engine.expand(doc, env)
    assert expanded[0][f"https://example.org/v#{long_key}"] == [
        {"@id": "https://e.org/" + long_key}
    ]
    for info in env._infos.values():
        for cache in (info._by_vocab, info._by_base, info._by_vocab_base, info._terms):
            assert all(key is None or len(key) <= 256 for key in cache)


def test_caches_restart_when_the_environment_budget_is_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shared.jsonld.contexts.MAX_CACHED_ENTRIES", 20)
    env = _env()
    doc = _doc({"@vocab": "https://example.org/v#"}, **{f"p{i}": f"v{i}" for i in range(100)})
    first = engine.expand(copy.deepcopy(doc), env)
    assert sum(len(i._by_vocab) + len(i._terms) for i in env._infos.values()) <= 20
    assert engine.expand(copy.deepcopy(doc), env) == first
