"""The bundled context loader (pinned, never fetching) and safe expansion."""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from shared.errors import ContextError, JsonLdError
from shared.jsonld import loader
from shared.jsonld.expand import safe_expand, to_quads

V = Path(__file__).resolve().parents[2] / "vectors"
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_every_bundled_context_loads_and_matches_its_pin(no_network: None) -> None:
    urls = loader.known_context_urls()
    assert len(urls) >= 30
    for url in urls:
        doc = loader.document_loader(url)
        assert doc["documentUrl"] == url and doc["tag"] == "static"
        assert "@context" in doc["document"]


def test_unknown_context_is_an_error_not_a_fetch(no_network: None) -> None:
    with pytest.raises(ContextError) as err:
        loader.document_loader("https://example.com/context.jsonld")
    assert err.value.code == "context.unknown"
    doc = {"@context": [V2, "https://example.com/context.jsonld"], "type": "VerifiableCredential"}
    with pytest.raises(ContextError) as err2:
        safe_expand(doc)
    assert err2.value.code == "context.unknown"


def test_a_tampered_bundled_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    pins = copy.deepcopy(loader._pins())
    pins[V2] = {**pins[V2], "sha256": "0" * 64}
    loader.load_context.cache_clear()
    monkeypatch.setattr(loader, "_pins", lambda: pins)
    try:
        with pytest.raises(ContextError) as err:
            loader.load_context(V2)
        assert err.value.code == "context.tampered"
    finally:
        loader.load_context.cache_clear()


def _vc(context: str, **subject: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [context],
        "id": "urn:uuid:5f1e0b1a-3a52-4b0e-9a52-6a8f2c8d4e21",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", **subject},
    }
    if context == V1:
        doc["issuanceDate"] = "2024-01-01T00:00:00Z"
    return doc


@pytest.mark.parametrize("context", [V1, V2])
def test_undefined_term_is_refused_with_its_path(context: str) -> None:
    safe_expand(_vc(context))  # the clean document expands
    with pytest.raises(JsonLdError) as err:
        safe_expand(_vc(context, favouriteColour="blue"))
    assert err.value.code == "jsonld.dropped-term"
    assert err.value.details["path"] == "$.credentialSubject.favouriteColour"


@pytest.mark.parametrize("context", [V1, V2])
def test_relative_id_is_refused(context: str) -> None:
    doc = _vc(context)
    doc["credentialSubject"]["id"] = "students/42"
    with pytest.raises(JsonLdError) as err:
        safe_expand(doc)
    assert err.value.code == "jsonld.relative-iri"
    assert err.value.details["path"] == "$.credentialSubject.id"


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (("credentialSubject", "id"), "@ignoreMe", "$.credentialSubject.id"),
        (("issuer",), "@ignoreMe", "$.issuer"),
        (("type",), ["VerifiableCredential", "@ignoreMe"], "$.type[1]"),
    ],
)
def test_keyword_like_identifier_or_type_is_refused(
    where: tuple[str, ...], value: Any, path: str
) -> None:
    """pyld expands "@anything" used as an @id or type to null: silently ignored (and
    a TypeError later in its RDF conversion). Refused, naming the JSON path."""
    doc = _vc(V2)
    target = doc
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(JsonLdError) as err:
        safe_expand(doc)
    assert err.value.code == "jsonld.relative-iri"
    assert err.value.details["path"] == path
    assert "@ignoreMe" in err.value.message


@pytest.mark.parametrize("context", [V1, V2])
def test_undefined_type_is_refused(context: str) -> None:
    doc = _vc(context)
    doc["type"] = ["VerifiableCredential", "MadeUpCredential"]
    with pytest.raises(JsonLdError) as err:
        safe_expand(doc)
    assert err.value.code == "jsonld.relative-iri"
    assert "MadeUpCredential" in err.value.message


def test_undefined_schema_validator_type_under_vc2_without_ob_extensions() -> None:
    """FIELD-NOTES: pyld drops/rebases '1EdTechJsonSchemaValidator2019' without the OB
    extensions context; that must be an error, and the extensions context fixes it."""
    doc = _vc(V2)
    doc["@context"] = [V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    doc["credentialSchema"] = {
        "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
        "ob_v3p0_achievementcredential_schema.json",
        "type": "1EdTechJsonSchemaValidator2019",
    }
    with pytest.raises(JsonLdError):
        safe_expand(doc)
    doc["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    safe_expand(doc)


def test_quads_of_a_real_credential_use_only_absolute_iris() -> None:
    doc = json.loads((V / "ob3/spec-test-vector/unsigned-credential.json").read_text())
    quads = to_quads(doc)
    assert quads
    for quad in quads:
        for term in quad:
            assert term == "" or term.startswith(("<", "_:", '"'))
            assert "relative-iri.satchel.invalid" not in term
