"""Status methods beyond bitstring lists: the 1EdTech revocation list, status lists
delivered as JWTs, list dates under clock skew, and the one-word outcome of a report."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from shared.did import ResolveContext
from shared.fetch import Fetcher, FetchPolicy
from shared.jose import sign_jwt_credential
from shared.proofs import ProofPolicy
from shared.status.bitstring import MIN_ENTRIES
from shared.verification.pipeline import VerifyOptions, verify
from tests.loopback import LoopbackServer, Route
from tests.shared.status.test_status import NOW, V2, Issuer, _encode, _entry, _load

EDTECH = "ob3/1edtech-validator/complete.json"


@pytest.fixture(name="issuer")
def _issuer(loopback_server: LoopbackServer) -> Issuer:
    return Issuer(loopback_server)


@pytest.fixture(name="local")
def _local(loopback_server: LoopbackServer) -> ResolveContext:
    return ResolveContext(
        fetcher=Fetcher(FetchPolicy(allow_hosts=frozenset({loopback_server.netloc})))
    )


def _edtech_context(server: LoopbackServer) -> ResolveContext:
    policy = FetchPolicy(
        allow_hosts=frozenset({server.netloc}),
        testing_origin_routes={"https://1edtech.edu": server.url("")},
    )
    return ResolveContext(fetcher=Fetcher(policy))


def _serve_json(server: LoopbackServer, path: str, doc: Any) -> None:
    server.routes[path] = Route(
        headers={"Content-Type": "application/json"}, body=json.dumps(doc).encode()
    )


async def _verify_edtech(server: LoopbackServer) -> Any:
    options = VerifyOptions(
        now=lambda: NOW,
        resolve=_edtech_context(server),
        proof_policy=ProofPolicy(allow_fragment_keys=True),
    )
    return await verify(_load(EDTECH), options=options)


# --- 1EdTech revocation list (the 1EdTech validator's complete.json) -----------------------


async def test_1edtech_list_naming_the_credential_revokes_it(
    loopback_server: LoopbackServer,
) -> None:
    listing = {
        "id": "https://1edtech.edu/credentials/3732/revocations",
        "revokedCredentials": [
            {"id": "http://1edtech.edu/credentials/3732", "revocationReason": "Issued in error"}
        ],
    }
    _serve_json(loopback_server, "/credentials/3732/revocations", listing)
    report = await _verify_edtech(loopback_server)
    check = report.check("status.revocation")
    assert check is not None and check.status == "failed" and check.code == "status.revoked"
    assert "Issued in error" in check.message
    assert not report.verified and report.outcome == "revoked"


async def test_1edtech_list_without_the_credential_is_a_warned_pass(
    loopback_server: LoopbackServer,
) -> None:
    listing = {
        "revokedCredentials": [
            {"id": "http://1edtech.edu/credentials/9999"},
            {"id": "http://1edtech.edu/credentials/3732", "revoked": False},
        ]
    }
    _serve_json(loopback_server, "/credentials/3732/revocations", listing)
    report = await _verify_edtech(loopback_server)
    check = report.check("status.revocation")
    assert check is not None and check.status == "warning", check
    assert "not signed" in check.message
    assert report.verified and report.outcome == "verified"


async def test_1edtech_list_unreachable_or_malformed_is_not_checked(
    loopback_server: LoopbackServer,
) -> None:
    report = await _verify_edtech(loopback_server)  # nothing served: 404
    check = report.check("status.revocation")
    assert check is not None and check.code == "status.unavailable"
    assert report.outcome == "status-unknown"
    _serve_json(loopback_server, "/credentials/3732/revocations", {"revoked": []})
    check = (await _verify_edtech(loopback_server)).check("status.revocation")
    assert check is not None and check.code == "status.unavailable"
    assert "revokedCredentials" in check.message


async def test_1edtech_list_of_another_issuer_is_refused(loopback_server: LoopbackServer) -> None:
    listing = {"issuer": "did:example:someone-else", "revokedCredentials": []}
    _serve_json(loopback_server, "/credentials/3732/revocations", listing)
    check = (await _verify_edtech(loopback_server)).check("status.revocation")
    assert check is not None and check.code == "status.unavailable"


# --- status lists as JWTs ------------------------------------------------------------------


def _publish_jwt_list(issuer: Issuer, path: str, purpose: str, set_index: int | None) -> str:
    bits = bytearray(MIN_ENTRIES // 8)
    if set_index is not None:
        bits[set_index // 8] |= 0x80 >> (set_index % 8)
    url = issuer.server.url(path)
    doc = {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": _encode(bytes(bits)),
        },
    }
    token = sign_jwt_credential(doc, issuer.key, issuer.vm)
    issuer.server.routes[path] = Route(
        headers={"Content-Type": "application/vc+jwt"}, body=token.encode()
    )
    return url


async def test_status_list_as_jwt(issuer: Issuer, local: ResolveContext) -> None:
    url = _publish_jwt_list(issuer, "/jwt-list", "revocation", 7)
    options = VerifyOptions(now=lambda: NOW, resolve=local)
    clear = await verify(issuer.credential(_entry(url, "revocation", "8")), options=options)
    assert clear.verified, [(c.id, c.message) for c in clear.failures]
    revoked = await verify(issuer.credential(_entry(url, "revocation", "7")), options=options)
    check = revoked.check("status.revocation")
    assert check is not None and check.code == "status.revoked"


async def test_tampered_jwt_list_is_not_checked(issuer: Issuer, local: ResolveContext) -> None:
    url = _publish_jwt_list(issuer, "/jwt-list", "revocation", None)
    token = issuer.server.routes["/jwt-list"].body.decode()
    header, payload, signature = token.split(".")
    forged = ".".join(
        [header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature]
    )
    issuer.server.routes["/jwt-list"] = Route(
        headers={"Content-Type": "application/vc+jwt"}, body=forged.encode()
    )
    options = VerifyOptions(now=lambda: NOW, resolve=local)
    report = await verify(issuer.credential(_entry(url, "revocation", "3")), options=options)
    check = report.check("status.revocation")
    assert check is not None and check.code == "status.unavailable"
    assert report.outcome == "status-unknown"


# --- list dates follow the same clock skew as credentials ----------------------------------


async def test_list_dates_use_the_clock_skew(issuer: Issuer, local: ResolveContext) -> None:
    soon = (NOW + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (NOW + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url_soon = issuer.publish_list("/soon", "revocation", {}, validFrom=soon)
    url_later = issuer.publish_list("/later", "revocation", {}, validFrom=later)
    options = VerifyOptions(now=lambda: NOW, resolve=local)
    ok = await verify(issuer.credential(_entry(url_soon, "revocation", "1")), options=options)
    assert ok.verified, [(c.id, c.message) for c in ok.failures]
    bad = await verify(issuer.credential(_entry(url_later, "revocation", "1")), options=options)
    check = bad.check("status.revocation")
    assert check is not None and check.code == "status.unavailable"
    strict = VerifyOptions(now=lambda: NOW, resolve=local, clock_skew=timedelta(0))
    report = await verify(issuer.credential(_entry(url_soon, "revocation", "1")), options=strict)
    assert not report.verified


# --- the one-word outcome ------------------------------------------------------------------


async def test_outcomes_name_what_went_wrong(issuer: Issuer, local: ResolveContext) -> None:
    rev = issuer.publish_list("/rev", "revocation", {5: 1})
    sus = issuer.publish_list("/sus", "suspension", {6: 1})
    options = VerifyOptions(now=lambda: NOW, resolve=local)
    revoked = await verify(issuer.credential(_entry(rev, "revocation", "5")), options=options)
    suspended = await verify(issuer.credential(_entry(sus, "suspension", "6")), options=options)
    both = await verify(
        issuer.credential(_entry(rev, "revocation", "5"), _entry(sus, "suspension", "6")),
        options=options,
    )
    unknown = await verify(
        issuer.credential(_entry(issuer.server.url("/missing"), "revocation", "5")),
        options=options,
    )
    assert (revoked.outcome, suspended.outcome, both.outcome) == ("revoked", "suspended", "revoked")
    assert unknown.outcome == "status-unknown"
    expired_doc = copy.deepcopy(issuer.credential(_entry(rev, "revocation", "1")))
    expired_doc.pop("proof")
    expired_doc["validUntil"] = "2026-01-01T00:00:00Z"
    expired = await verify(issuer.sign(expired_doc), options=options)
    assert expired.outcome == "expired"
    tampered = copy.deepcopy(issuer.credential(_entry(rev, "revocation", "5")))
    tampered["credentialSubject"]["id"] = "did:example:eve"
    assert (await verify(tampered, options=options)).outcome == "invalid"
    accepting = VerifyOptions(now=lambda: NOW, resolve=local, accept_unknown_status=True)
    lenient = await verify(
        issuer.credential(_entry(issuer.server.url("/missing"), "revocation", "5")),
        options=accepting,
    )
    check = lenient.check("status.revocation")
    assert lenient.verified and check is not None and check.status == "warning"
