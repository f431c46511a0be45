"""OpenID4VCI pre-authorized code flow, end to end, with a test client acting as a wallet."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.did.key import did_key_for
from shared.jose.jws import sign_jws
from shared.keys import PrivateKey, generate_key
from shared.oid4vci import (
    PRE_AUTHORIZED_GRANT,
    PROOF_TYP,
    build_key_proof,
    parse_credential_response,
    parse_error,
    parse_issuer_metadata,
    parse_offer,
    parse_offer_uri,
    parse_token_response,
    token_request_body,
)
from tests.issuer.conftest import LEARNER, Issuer, problem


@dataclass
class Wallet:
    """The holder side: a key, its did:key, and an HTTP client for the issuer."""

    key: PrivateKey
    http: httpx.Client

    @property
    def did(self) -> str:
        return did_key_for(self.key.public_key)

    @property
    def kid(self) -> str:
        return f"{self.did}#{self.did.split(':')[2]}"


@pytest.fixture
def wallet(issuer: Issuer) -> Wallet:
    return Wallet(generate_key("Ed25519"), issuer.anonymous)


def _offer(issuer: Issuer, **body: Any) -> dict[str, Any]:
    body.setdefault("template", "teamwork")
    answer = issuer.http.post("/api/issuer/offers", json=body)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _code(wallet: Wallet, offer_uri: str) -> tuple[str, Any]:
    offer, uri = parse_offer_uri(offer_uri)
    if offer is None:
        assert uri is not None
        offer = parse_offer(wallet.http.get(uri).content)
    grant = offer.grants.pre_authorized_code  # type: ignore[union-attr]
    assert grant is not None
    return grant.pre_authorized_code, offer


def _token(wallet: Wallet, code: str, tx_code: str | None = None) -> httpx.Response:
    return wallet.http.post("/oid4vci/token", data=token_request_body(code, tx_code))


def _nonce(wallet: Wallet) -> str:
    answer = wallet.http.post("/oid4vci/nonce")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    nonce: str = answer.json()["c_nonce"]
    return nonce


def _request(
    wallet: Wallet, token: str, proof: str | None, config: str = "OpenBadgeCredential_ldp_vc"
) -> httpx.Response:
    body: dict[str, Any] = {"credential_configuration_id": config}
    if proof is not None:
        body["proofs"] = {"jwt": [proof]}
    return wallet.http.post(
        "/oid4vci/credential", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def _oauth_error(response: httpx.Response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = parse_error(response.content)
    assert body is not None and body.error == error, response.text
    assert body.error_description
    return body.error_description


async def test_offer_redeemed_end_to_end(issuer: Issuer, wallet: Wallet) -> None:
    created = _offer(issuer, recipient={"email": "ada@example.edu", "name": "Ada"}, tx_code=True)
    assert created["offer_uri"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert "<title" in created["qr_svg"] and len(created["tx_code"]) == 6
    code, offer = _code(wallet, created["offer_uri"])
    assert offer.credential_issuer == issuer.server.base_url
    assert offer.grants.pre_authorized_code.tx_code.length == 6  # type: ignore[union-attr]

    fetched = wallet.http.get("/.well-known/openid-credential-issuer")
    metadata = fetched.json()
    parsed = parse_issuer_metadata(fetched.content)
    config_id = offer.credential_configuration_ids[0]
    config = parsed.credential_configurations_supported[config_id]
    assert config.format == "ldp_vc"
    assert "OpenBadgeCredential" in config.credential_definition["type"]
    assert parsed.nonce_endpoint is not None and parsed.nonce_endpoint.endswith("/oid4vci/nonce")
    oauth = wallet.http.get("/.well-known/oauth-authorization-server").json()
    assert oauth["token_endpoint"].endswith("/oid4vci/token")
    assert PRE_AUTHORIZED_GRANT in oauth["grant_types_supported"]

    assert issuer.http.get(f"/api/issuer/offers/{created['id']}").json()["state"] == "pending"
    answer = _token(wallet, code, created["tx_code"])
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    token = parse_token_response(answer.content).access_token
    assert answer.json()["token_type"] == "Bearer"
    assert issuer.http.get(f"/api/issuer/offers/{created['id']}").json()["state"] == "redeemed"

    proof = build_key_proof(wallet.key, wallet.kid, metadata["credential_issuer"], _nonce(wallet))
    answer = _request(wallet, token, proof, config_id)
    assert answer.status_code == 200, answer.text
    [credential] = parse_credential_response(answer.content)
    subject = credential["credentialSubject"]
    assert subject["id"] == wallet.did  # bound to the holder's DID
    assert subject["identifier"][0]["identityType"] == "emailAddress" and subject["name"] == "Ada"
    report = await issuer.verify(credential)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    state = issuer.http.get(f"/api/issuer/offers/{created['id']}").json()
    assert state["state"] == "issued" and state["credential"]

    # A second redemption fails; the access token obtained one credential only.
    _oauth_error(_token(wallet, code, created["tx_code"]), 400, "invalid_grant")
    proof = build_key_proof(wallet.key, wallet.kid, metadata["credential_issuer"], _nonce(wallet))
    _oauth_error(_request(wallet, token, proof, config_id), 401, "invalid_token")


def test_expired_offer(issuer: Issuer, wallet: Wallet) -> None:
    created = _offer(issuer, expires_in=60)
    code, _ = _code(wallet, created["offer_uri"])
    issuer.clock.offset = timedelta(minutes=2)
    try:
        assert "expired" in _oauth_error(_token(wallet, code), 400, "invalid_grant")
        offer_path = "/oid4vci/offers/" + created["id"]
        _oauth_error(wallet.http.get(offer_path), 404, "invalid_request")
        assert issuer.http.get(f"/api/issuer/offers/{created['id']}").json()["state"] == "expired"
    finally:
        issuer.clock.offset = timedelta(0)


def test_tx_code_rules(issuer: Issuer, wallet: Wallet) -> None:
    created = _offer(issuer, tx_code=True)
    code, _ = _code(wallet, created["offer_uri"])
    _oauth_error(_token(wallet, code), 400, "invalid_request")  # missing
    wrong = "000000" if created["tx_code"] != "000000" else "111111"
    _oauth_error(_token(wallet, code, wrong), 400, "invalid_grant")
    assert _token(wallet, code, created["tx_code"]).status_code == 200
    # Five wrong tries void an offer, even for the right code afterwards.
    created = _offer(issuer, tx_code=True)
    code, _ = _code(wallet, created["offer_uri"])
    wrong = "000000" if created["tx_code"] != "000000" else "111111"
    for _ in range(5):
        _oauth_error(_token(wallet, code, wrong), 400, "invalid_grant")
    _oauth_error(_token(wallet, code, created["tx_code"]), 400, "invalid_grant")
    # A tx_code where none was asked for.
    created = _offer(issuer)
    code, _ = _code(wallet, created["offer_uri"])
    _oauth_error(_token(wallet, code, "123456"), 400, "invalid_request")


def test_token_request_errors(issuer: Issuer, wallet: Wallet) -> None:
    _oauth_error(_token(wallet, "no-such-code"), 400, "invalid_grant")
    answer = wallet.http.post("/oid4vci/token", data={"grant_type": "authorization_code"})
    _oauth_error(answer, 400, "unsupported_grant_type")
    answer = wallet.http.post("/oid4vci/token", json={"grant_type": PRE_AUTHORIZED_GRANT})
    _oauth_error(answer, 400, "invalid_request")
    answer = wallet.http.post(
        "/oid4vci/token",
        content=f"grant_type={PRE_AUTHORIZED_GRANT}&pre-authorized_code=a&pre-authorized_code=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    _oauth_error(answer, 400, "invalid_request")


async def test_key_proof_is_checked(issuer: Issuer, wallet: Wallet) -> None:
    created = _offer(issuer)
    code, _ = _code(wallet, created["offer_uri"])
    token = _token(wallet, code).json()["access_token"]
    aud = issuer.server.base_url
    other = generate_key("Ed25519")

    def proof(**claims: Any) -> str:
        header = {"typ": claims.pop("typ", PROOF_TYP), "kid": claims.pop("kid", wallet.kid)}
        body = {"aud": aud, "iat": int(time.time()), "nonce": _nonce(wallet), **claims}
        return sign_jws(
            header, {k: v for k, v in body.items() if v is not None}, claims.pop("key", wallet.key)
        )

    bad = {
        "wrong aud": proof(aud="https://elsewhere.example"),
        "stale iat": proof(iat=int(time.time()) - 3600),
        "future iat": proof(iat=int(time.time()) + 3600),
        "no nonce": proof(nonce=None),
        "wrong typ": proof(typ="JWT"),
        "other key": sign_jws(
            {"typ": PROOF_TYP, "kid": wallet.kid},
            {"aud": aud, "iat": int(time.time()), "nonce": _nonce(wallet)},
            other,
        ),
        "tampered": build_key_proof(wallet.key, wallet.kid, aud, _nonce(wallet))[:-6] + "AAAAAA",
        "not a jwt": "hello",
    }
    for why, value in bad.items():
        description = _oauth_error(_request(wallet, token, value), 400, "invalid_proof")
        assert description, why
    _oauth_error(_request(wallet, token, None), 400, "invalid_proof")
    unknown_nonce = build_key_proof(wallet.key, wallet.kid, aud, "made-up")
    _oauth_error(_request(wallet, token, unknown_nonce), 400, "invalid_nonce")
    used = _nonce(wallet)
    _oauth_error(
        _request(wallet, token, build_key_proof(wallet.key, wallet.kid, aud, used), "Nope"),
        400,
        "unknown_credential_configuration",
    )
    _oauth_error(_request(wallet, "bad-token", None), 401, "invalid_token")
    deep = wallet.http.post(
        "/oid4vci/credential",
        content="[" * 100_000 + "]" * 100_000,
        headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    _oauth_error(deep, 400, "invalid_credential_request")
    # None of these used the token up: a good request (key by jwk this time) succeeds.
    good = build_key_proof(wallet.key, None, aud, _nonce(wallet))
    answer = _request(wallet, token, good)
    assert answer.status_code == 200, answer.text
    credential = answer.json()["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == wallet.did
    assert (await issuer.verify(credential)).verified
    # A nonce is single-use.
    created = _offer(issuer)
    code, _ = _code(wallet, created["offer_uri"])
    token = _token(wallet, code).json()["access_token"]
    nonce = _nonce(wallet)
    assert _request(wallet, token, build_key_proof(wallet.key, wallet.kid, aud, nonce)).is_success
    created = _offer(issuer)
    code, _ = _code(wallet, created["offer_uri"])
    token = _token(wallet, code).json()["access_token"]
    replay = build_key_proof(wallet.key, wallet.kid, aud, nonce)
    _oauth_error(_request(wallet, token, replay), 400, "invalid_nonce")


async def test_jwt_offer_by_value(issuer: Issuer, wallet: Wallet) -> None:
    created = _offer(issuer, template="data-analysis", format="jwt_vc_json", by_value=True)
    assert "credential_offer=" in created["offer_uri"]
    code, offer = _code(wallet, created["offer_uri"])
    config = offer.credential_configuration_ids[0]
    assert config == "OpenBadgeCredential_jwt_vc_json"
    token = _token(wallet, code).json()["access_token"]
    proof = build_key_proof(wallet.key, wallet.kid, issuer.server.base_url, _nonce(wallet))
    answer = _request(wallet, token, proof, config)
    assert answer.status_code == 200, answer.text
    jwt = answer.json()["credentials"][0]["credential"]
    assert isinstance(jwt, str)
    report = await issuer.verify(jwt)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    assert report.summary is not None and report.summary.subject_id == wallet.did


def test_offer_for_a_did_is_not_given_to_another(issuer: Issuer, wallet: Wallet) -> None:
    created = _offer(issuer, recipient={"did": LEARNER})
    code, _ = _code(wallet, created["offer_uri"])
    token = _token(wallet, code).json()["access_token"]
    proof = build_key_proof(wallet.key, wallet.kid, issuer.server.base_url, _nonce(wallet))
    _oauth_error(_request(wallet, token, proof), 400, "credential_request_denied")


def test_offer_errors_are_problems_on_the_api(issuer: Issuer) -> None:
    bad = issuer.http.post("/api/issuer/offers", json={"template": "teamwork", "expires_in": 5})
    assert problem(bad, 400)["code"] == "offer.bad-expiry"
    bad = issuer.http.post(
        "/api/issuer/offers", json={"template": "career-readiness-record", "format": "jwt_vc_json"}
    )
    assert problem(bad, 400)["code"] == "offer.bad-format"
    assert problem(issuer.http.post("/api/issuer/offers", json={"template": "x"}), 404)


async def test_clr_offer(issuer: Issuer, wallet: Wallet) -> None:
    created = _offer(issuer, template="career-readiness-record", suite="ecdsa-rdfc-2019")
    code, offer = _code(wallet, created["offer_uri"])
    assert offer.credential_configuration_ids == ["ClrCredential_ldp_vc"]
    token = parse_token_response(_token(wallet, code).content).access_token
    proof = build_key_proof(wallet.key, wallet.kid, issuer.server.base_url, _nonce(wallet))
    answer = _request(wallet, token, proof, "ClrCredential_ldp_vc")
    assert answer.status_code == 200, answer.text
    [clr] = parse_credential_response(answer.content)
    assert clr["credentialSubject"]["id"] == wallet.did
    assert clr["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    members = clr["credentialSubject"]["verifiableCredential"]
    assert {m["credentialSubject"]["id"] for m in members} == {wallet.did}
    report = await issuer.verify(clr)
    assert report.verified, [(c.id, c.message) for c in report.failures]
