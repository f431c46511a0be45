"""Real did:web credentials (DCC fixtures), their DID documents served from loopback.

The DID documents are the offline copies named in ``tests/vectors/url-map.json``; the
fetcher's testing routes send ``https://digitalcredentials.github.io`` to a loopback
server, so the real resolution path (did:web URL, guarded fetch, id check) runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.did import ResolveContext
from shared.fetch import Fetcher, FetchPolicy
from shared.proofs import verify_proofs
from tests.loopback import LoopbackServer, Route

V = Path(__file__).resolve().parents[2] / "vectors"
ORIGIN = "https://digitalcredentials.github.io"


def _url_map() -> dict[str, str]:
    data = json.loads((V / "url-map.json").read_text())
    return {r["url"]: r["file"] for r in data["resources"]}


@pytest.fixture
def did_web_ctx(make_loopback_server: Callable[..., LoopbackServer]) -> ResolveContext:
    routes = {
        url[len(ORIGIN) :]: Route(body=(V / file).read_bytes())
        for url, file in _url_map().items()
        if url.startswith(ORIGIN) and url.endswith("did.json")
    }
    server = make_loopback_server(routes)
    policy = FetchPolicy(
        allow_hosts=frozenset({server.netloc}),
        testing_origin_routes={ORIGIN: server.url("")},
    )
    return ResolveContext(fetcher=Fetcher(policy))


def _load(rel: str) -> Any:
    return json.loads((V / rel).read_text())


_DCC = _load("interop/dcc-vc-test-fixtures/EXPECTED.json")["credentials"]
_DIDWEB = [c for c in _DCC if c["issuer"].startswith("did:web:")]


@pytest.mark.parametrize("entry", _DIDWEB, ids=[c["file"] for c in _DIDWEB])
async def test_dcc_did_web_fixture_proofs(
    entry: dict[str, Any], did_web_ctx: ResolveContext
) -> None:
    doc = _load(f"interop/dcc-vc-test-fixtures/{entry['file']}")
    outcomes = await verify_proofs(doc, purpose="assertionMethod", ctx=did_web_ctx)
    # A key whose DID document cannot be resolved is never taken from the fragment.
    expected = [p["signatureValid"] and p["vmResolvableOffline"] for p in entry["proofs"]]
    assert [o.verified for o in outcomes] == expected, [o.error for o in outcomes]
    assert all(o.controller == entry["issuer"] for o in outcomes if o.verified)


@pytest.mark.parametrize(
    "name",
    ["v2/didWeb/v2didWebWithValidStatus.json", "v2/didWeb/v2didWebMultikeyWithValidStatus.json"],
)
async def test_dcc_verifier_core_did_web(name: str, did_web_ctx: ResolveContext) -> None:
    doc = _load(f"interop/dcc-verifier-core/{name}")
    outcomes = await verify_proofs(doc, purpose="assertionMethod", ctx=did_web_ctx)
    assert [o.verified for o in outcomes] == [True] * len(outcomes), [o.error for o in outcomes]


async def test_unresolvable_did_web_does_not_fall_back_to_the_fragment(
    did_web_ctx: ResolveContext,
) -> None:
    """v2WithBadDidWeb: the signature is valid for the key named in the fragment, but the
    DID document does not exist; the key must not be taken from the fragment."""
    doc = _load("interop/dcc-verifier-core/v2/didWeb/v2WithBadDidWeb.json")
    outcomes = await verify_proofs(doc, purpose="assertionMethod", ctx=did_web_ctx)
    assert not outcomes[0].verified
    assert outcomes[0].error is not None and outcomes[0].error.code.startswith("did.")
