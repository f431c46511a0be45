"""OpenID4VP and VC-API exchange shapes as a wallet checks them, and DCQL matching."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from shared.errors import SatchelError
from shared.jose.jws import sign_jws
from shared.oid4vp import (
    JWT_VC_JSON,
    LDP_VC,
    REQUEST_OBJECT_TYP,
    AuthorizationRequest,
    authorization_uri,
    build_request_object,
    client_id_for,
    dcql_query,
    matching_query_ids,
    parse_authorization_uri,
    parse_direct_post,
    sign_request_object,
    verify_request_object,
)
from shared.vcapi_exchange import (
    build_presentation_request,
    parse_exchange_message,
    parse_presentation_request,
)
from shared.wanted import Wanted, credential_matches
from tests.verifier.helpers import NOW, Party, ob3_credential


def _request(verifier: Party, **overrides: Any) -> AuthorizationRequest:
    request = build_request_object(
        client_id=client_id_for(verifier.did),
        response_uri="https://verifier.example/oid4vp/responses/tx",
        nonce="n-123",
        state="s-456",
        wanted=Wanted(types=["OpenBadgeCredential"], purpose="Hiring"),
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=10),
    )
    return msgspec.structs.replace(request, **overrides)


def _check(token: str, client_id: str, **kwargs: Any) -> AuthorizationRequest:
    return asyncio.run(
        verify_request_object(token, expected_client_id=client_id, now=NOW, **kwargs)
    )


def _refused(token: str, client_id: str, **kwargs: Any) -> str:
    with pytest.raises(SatchelError) as err:
        _check(token, client_id, **kwargs)
    return err.value.code


def test_signed_request_object_round_trip_and_uri() -> None:
    verifier = Party.new()
    token = sign_request_object(_request(verifier), verifier.key, verifier.vm)
    client_id = client_id_for(verifier.did)
    checked = _check(token, client_id)
    assert checked.nonce == "n-123" and checked.purpose == "Hiring"
    uri = authorization_uri(client_id, "https://verifier.example/oid4vp/requests/tx")
    assert parse_authorization_uri(uri) == (
        client_id,
        "https://verifier.example/oid4vp/requests/tx",
    )
    with pytest.raises(SatchelError):
        parse_authorization_uri("openid4vp://?client_id=x")


def test_request_objects_a_wallet_must_refuse() -> None:
    verifier, mallory = Party.new(), Party.new()
    client_id = client_id_for(verifier.did)
    good = sign_request_object(_request(verifier), verifier.key, verifier.vm)
    head, payload, sig = good.split(".")
    assert _refused(f"{head}.{payload}.{sig[:-2]}AA", client_id) == "jose.signature-invalid"
    # signed by someone else's key, claiming the verifier's client_id
    forged = sign_request_object(_request(verifier), mallory.key, mallory.vm)
    assert _refused(forged, client_id) == "oid4vp.kid-mismatch"
    # typ missing
    claims = msgspec.to_builtins(_request(verifier))
    untyped = sign_jws({"kid": verifier.vm}, claims, verifier.key)
    assert _refused(untyped, client_id) == "oid4vp.typ"
    # client_id in the URI differs from the one in the object
    other_id = client_id_for(mallory.did)
    switched = sign_request_object(_request(mallory, client_id=client_id), mallory.key, mallory.vm)
    assert _refused(switched, other_id) == "oid4vp.client-id-mismatch"
    # not a DID client
    assert _refused(good, "redirect_uri:https://x.example/cb") == "oid4vp.client-id-prefix"
    expired = sign_request_object(
        _request(verifier, exp=int((NOW - timedelta(seconds=1)).timestamp())),
        verifier.key,
        verifier.vm,
    )
    assert _refused(expired, client_id) == "oid4vp.expired"
    assert _refused(good, client_id, wallet_nonce="mine") == "oid4vp.wallet-nonce"
    fragment = sign_jws(
        {"typ": REQUEST_OBJECT_TYP, "kid": verifier.vm},
        {**claims, "response_mode": "fragment"},
        verifier.key,
    )
    assert _refused(fragment, client_id) == "oid4vp.unsupported-mode"


def test_dcql_matching_uses_expanded_types() -> None:
    issuer = Party.new()
    badge = ob3_credential(issuer, "did:example:x")
    achievement = {**badge, "type": ["VerifiableCredential", "AchievementCredential"]}
    query = dcql_query(Wanted(types=["OpenBadgeCredential"]))
    assert matching_query_ids(badge, LDP_VC, query) == ["ldp_credential"]
    assert matching_query_ids(achievement, JWT_VC_JSON, query) == ["jwt_credential"]
    clr_query = dcql_query(Wanted(types=["ClrCredential"]))
    assert matching_query_ids(badge, LDP_VC, clr_query) == []
    assert credential_matches(badge, Wanted(trusted_issuers=[issuer.did]))
    assert not credential_matches(badge, Wanted(trusted_issuers=["did:web:other.example"]))


def test_direct_post_parsing() -> None:
    parsed = parse_direct_post({"vp_token": '{"q": ["a.b.c"]}', "state": "s"})
    assert parsed.vp_token == {"q": ["a.b.c"]} and parsed.state == "s"
    error = parse_direct_post({"error": "access_denied", "state": "s"})
    assert error.error == "access_denied" and error.vp_token is None
    for bad in ({}, {"vp_token": "[]"}, {"vp_token": '{"q": []}'}, {"vp_token": '{"q": 1}'}):
        with pytest.raises(SatchelError) as err:
            parse_direct_post(bad)
        assert err.value.code == "oid4vp.invalid"
    many = '{"q": [' + ",".join(['"a.b.c"'] * 11) + "]}"
    with pytest.raises(SatchelError):
        parse_direct_post({"vp_token": many})


def test_vpr_round_trip_and_strict_messages() -> None:
    wanted = Wanted(types=["OpenBadgeCredential", "ClrCredential"], trusted_issuers=["did:web:u"])
    message = build_presentation_request(
        wanted, challenge="c-1", domain="verifier.example", exchange_url="https://v/exchanges/t"
    )
    vpr = parse_presentation_request(parse_exchange_message(message))
    assert vpr.challenge == "c-1" and vpr.domain == "verifier.example" and vpr.did_authentication
    read = vpr.wanted()
    assert read.types == wanted.types and read.trusted_issuers == ["did:web:u"]
    with pytest.raises(SatchelError):
        parse_exchange_message({"verifiablePresentation": {}, "extra": 1})
    with pytest.raises(SatchelError):
        parse_presentation_request(parse_exchange_message({}))
