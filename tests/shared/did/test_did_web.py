"""did:web URL mapping and resolution through the guarded fetcher (real loopback server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.did.web import did_web_url, resolve_did_web
from shared.errors import DidError
from shared.fetch import Fetcher, FetchPolicy
from tests.loopback import LoopbackServer, Route

VECTOR = Path(__file__).parents[2] / "vectors" / "interop" / "dcc-did-web" / "did.json"
VECTOR_DID = "did:web:digitalcredentials.github.io:dcc-did-web"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:user:alice", "https://example.com/user/alice/did.json"),
        ("did:web:example.com%3A8443", "https://example.com:8443/.well-known/did.json"),
        ("did:web:example.com%3a8443:u:a", "https://example.com:8443/u/a/did.json"),
        (VECTOR_DID, "https://digitalcredentials.github.io/dcc-did-web/did.json"),
        ("did:web:w3c-ccg.github.io:user%20x", "https://w3c-ccg.github.io/user%20x/did.json"),
        ("did:web:127.0.0.1%3A8080", "https://127.0.0.1:8080/.well-known/did.json"),
    ],
)
def test_did_web_url(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web",
        "did:key:z6Mk",
        "DID:web:example.com",
        "did:web:example.com:",
        "did:web::example.com",
        "did:web:example.com::alice",
        "did:web:example.com:..",
        "did:web:example.com:%2e%2e",
        "did:web:example.com:a%2Fb",
        "did:web:example.com:.",
        "did:web:example.com?service=x",
        "did:web:example.com#key-1",
        "did:web:example.com/path",
        "did:web:example.com%3A",
        "did:web:example.com%3A0",
        "did:web:example.com%3A99999",
        "did:web:example.com%3A80%3A81",
        "did:web:example.com%2Fevil",
        "did:web:exa mple.com",
        "did:web:user@example.com",
        "did:web:-bad-.com",
        "did:web:example.com:a%zz",
        "did:web:" + "a" * 3000,
    ],
)
def test_did_web_url_rejects_invalid(did: str) -> None:
    with pytest.raises(DidError) as info:
        did_web_url(did)
    assert info.value.code == "did.invalid"


def test_http_only_for_allowlisted_hosts() -> None:
    policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1:8080", "intranet.example"}))
    assert did_web_url("did:web:127.0.0.1%3A8080", policy=policy) == (
        "http://127.0.0.1:8080/.well-known/did.json"
    )
    assert did_web_url("did:web:127.0.0.1%3A8081", policy=policy).startswith("https://")
    assert did_web_url("did:web:intranet.example:a", policy=policy) == (
        "http://intranet.example/a/did.json"
    )
    assert did_web_url("did:web:example.com", policy=policy).startswith("https://")


def _document_for(did: str) -> dict[str, Any]:
    text = VECTOR.read_text(encoding="utf-8").replace(VECTOR_DID, did)
    document: dict[str, Any] = json.loads(text)
    return document


def _serve(server: LoopbackServer, path: str, document: object) -> None:
    server.routes[path] = Route(
        headers={"Content-Type": "application/did+json"}, body=json.dumps(document).encode()
    )


def _loopback_did(server: LoopbackServer, *path: str) -> str:
    return ":".join([f"did:web:127.0.0.1%3A{server.port}", *path])


def _fetcher(server: LoopbackServer) -> Fetcher:
    return Fetcher(FetchPolicy(allow_hosts=frozenset({server.netloc})))


async def test_resolve_from_loopback(loopback_server: LoopbackServer) -> None:
    did = _loopback_did(loopback_server)
    document = _document_for(did)
    _serve(loopback_server, "/.well-known/did.json", document)
    async with _fetcher(loopback_server) as fetcher:
        assert did_web_url(did, policy=fetcher.policy) == (
            f"http://127.0.0.1:{loopback_server.port}/.well-known/did.json"
        )
        resolved = await resolve_did_web(did, fetcher)
    assert resolved == document
    assert resolved["assertionMethod"][0]["controller"] == did
    (request,) = loopback_server.requests
    assert request.path == "/.well-known/did.json"
    assert request.headers["accept"] == "application/did+json, application/json"


async def test_resolve_path_did(loopback_server: LoopbackServer) -> None:
    did = _loopback_did(loopback_server, "dcc-did-web")
    _serve(loopback_server, "/dcc-did-web/did.json", _document_for(did))
    async with _fetcher(loopback_server) as fetcher:
        assert (await resolve_did_web(did, fetcher))["id"] == did


async def test_id_mismatch_refused(loopback_server: LoopbackServer) -> None:
    did = _loopback_did(loopback_server)
    _serve(loopback_server, "/.well-known/did.json", _document_for("did:web:attacker.example"))
    async with _fetcher(loopback_server) as fetcher:
        with pytest.raises(DidError) as info:
            await resolve_did_web(did, fetcher)
    assert info.value.code == "did.id-mismatch"


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b'{"id": 1, "id": 2}', b"\xff\xfe"])
async def test_invalid_document_refused(loopback_server: LoopbackServer, body: bytes) -> None:
    loopback_server.routes["/.well-known/did.json"] = Route(body=body)
    async with _fetcher(loopback_server) as fetcher:
        with pytest.raises(DidError) as info:
            await resolve_did_web(_loopback_did(loopback_server), fetcher)
    assert info.value.code == "did.invalid-document"


async def test_404_is_unresolvable(loopback_server: LoopbackServer) -> None:
    async with _fetcher(loopback_server) as fetcher:
        with pytest.raises(DidError) as info:
            await resolve_did_web(_loopback_did(loopback_server), fetcher)
    assert info.value.code == "did.unresolvable"
    assert info.value.details["fetch_code"] == "fetch.http-status"
    assert "fetch.http-status" in info.value.message


async def test_not_allowlisted_loopback_is_unresolvable(loopback_server: LoopbackServer) -> None:
    did = _loopback_did(loopback_server)
    _serve(loopback_server, "/.well-known/did.json", _document_for(did))
    async with Fetcher(FetchPolicy()) as fetcher:
        with pytest.raises(DidError) as info:
            await resolve_did_web(did, fetcher)
    assert info.value.code == "did.unresolvable"
    assert info.value.details["fetch_code"] == "fetch.forbidden-address"
    assert loopback_server.connections == 0
