"""OpenID4VCI shapes: offer links both ways, token requests, key proofs (and forgeries)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from shared.did.key import did_key_for
from shared.keys import generate_key
from shared.oid4vci import (
    OID4VCIError,
    TxCode,
    build_key_proof,
    check_key_proof,
    encode_offer_uri,
    parse_offer,
    parse_offer_uri,
    parse_token_request,
    pre_authorized_offer,
)

AUD = "https://issuer.example.edu"


def test_offer_by_value_round_trips() -> None:
    offer = pre_authorized_offer(AUD, "OpenBadgeCredential_ldp_vc", "code-1", TxCode(length=6))
    uri = encode_offer_uri(offer)
    assert uri.startswith("openid-credential-offer://?credential_offer=")
    parsed, ref = parse_offer_uri(uri)
    assert ref is None and parsed == offer
    grant = parsed.grants.pre_authorized_code  # type: ignore[union-attr]
    assert grant is not None and grant.pre_authorized_code == "code-1"


def test_offer_by_reference() -> None:
    uri = encode_offer_uri(offer_uri=AUD + "/oid4vci/offers/abc")
    assert parse_offer_uri(uri) == (None, AUD + "/oid4vci/offers/abc")


@pytest.mark.parametrize(
    "text",
    [
        "mailto:someone@example.edu",
        "openid-credential-offer://?nothing=1",
        "openid-credential-offer://?credential_offer_uri=ftp://x&credential_offer=%7B%7D",
        "openid-credential-offer://?credential_offer_uri=javascript:alert(1)",
        'openid-credential-offer://?credential_offer={"credential_issuer":"ftp://x",'
        '"credential_configuration_ids":["a"]}',
        'openid-credential-offer://?credential_offer={"credential_issuer":"https://x",'
        '"credential_configuration_ids":[]}',
    ],
)
def test_bad_offer_links(text: str) -> None:
    with pytest.raises(OID4VCIError) as err:
        parse_offer_uri(text)
    assert err.value.error == "invalid_request"


def test_offer_json_must_be_an_offer() -> None:
    with pytest.raises(OID4VCIError):
        parse_offer(b'{"credential_issuer": 5}')


def test_token_request_parsing() -> None:
    body = (
        b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code"
        b"&pre-authorized_code=c&tx_code=12"
    )
    request = parse_token_request(body)
    assert (request.code, request.tx_code) == ("c", "12")
    with pytest.raises(OID4VCIError) as err:
        parse_token_request(b"grant_type=password")
    assert err.value.error == "unsupported_grant_type"


async def test_key_proof_by_did_key_and_by_jwk() -> None:
    key = generate_key("P-256")
    did = did_key_for(key.public_key)
    now = datetime.now(UTC)
    by_kid = build_key_proof(key, f"{did}#{did.split(':')[2]}", AUD, "n-1")
    checked = await check_key_proof(by_kid, audience=AUD, now=now)
    assert (checked.holder, checked.nonce) == (did, "n-1")
    by_jwk = build_key_proof(key, None, AUD, "n-2")
    checked = await check_key_proof(by_jwk, audience=AUD, now=now)
    assert checked.holder == did and checked.kid is None


async def test_forged_and_misdirected_proofs_fail() -> None:
    key, other = generate_key(), generate_key()
    did = did_key_for(key.public_key)
    kid = f"{did}#{did.split(':')[2]}"
    now = datetime.now(UTC)
    good = build_key_proof(key, kid, AUD, "n")
    head, _, sig = good.split(".")
    forged = build_key_proof(key, kid, AUD, "another nonce").split(".")
    cases = [
        f"{head}.{forged[1]}.{sig}",  # payload swapped
        build_key_proof(other, kid, AUD, "n"),  # signed by another key
        build_key_proof(key, kid, "https://other.example", "n"),
        build_key_proof(key, kid, AUD, "n", iat=int(time.time()) - 3600),
        build_key_proof(key, kid, AUD, None),
    ]
    assert (await check_key_proof(good, audience=AUD, now=now)).holder == did
    for token in cases:
        with pytest.raises(OID4VCIError) as err:
            await check_key_proof(token, audience=AUD, now=now)
        assert err.value.error == "invalid_proof"
