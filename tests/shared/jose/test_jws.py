"""Compact JWS: strict parsing, header policy, alg/key binding, every algorithm."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shared.errors import JoseError
from shared.jose import looks_like_jwt, parse_jws, sign_jws, verify_jws
from shared.keys import (
    KeyType,
    PrivateKey,
    PublicKey,
    b64url_decode,
    b64url_encode,
    generate_key,
)

SIGNING_TYPES: list[KeyType] = ["Ed25519", "P-256", "P-384"]
ALG_OF = {"Ed25519": "EdDSA", "P-256": "ES256", "P-384": "ES384", "RSA": "RS256"}
PAYLOAD = {"iss": "did:example:issuer", "name": "Ada", "n": 1}


def segment(value: Any) -> str:
    """A JWS segment from a JSON value (or raw bytes)."""
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return b64url_encode(raw)


def forge(
    header: dict[str, Any], payload: Any, key: PrivateKey, *, hash_name: str | None = None
) -> str:
    """Sign with ``key`` whatever ``header`` says (to test refusals, not signatures)."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = key.sign(signing_input.encode(), hash_name=hash_name)
    return f"{signing_input}.{b64url_encode(signature)}"


def code_of(token: str, key: PublicKey) -> str:
    with pytest.raises(JoseError) as info:
        verify_jws(token, key)
    return info.value.code


@pytest.fixture(scope="module")
def keys() -> dict[str, PrivateKey]:
    return {kt: generate_key(kt) for kt in SIGNING_TYPES}


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rs256(header: dict[str, Any], payload: Any, key: rsa.RSAPrivateKey) -> str:
    """An RS256 JWS made with ``cryptography`` directly (we never sign RSA ourselves)."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url_encode(sig)}"


# --- every algorithm ---------------------------------------------------------


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
def test_round_trip(keys: dict[str, PrivateKey], key_type: str) -> None:
    key = keys[key_type]
    token = sign_jws({"typ": "JWT", "kid": "k"}, PAYLOAD, key)
    header, payload = verify_jws(token, key.public_key)
    assert header == {"alg": ALG_OF[key_type], "typ": "JWT", "kid": "k"}
    assert payload == PAYLOAD
    assert looks_like_jwt(token)


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
def test_sign_ignores_caller_alg(keys: dict[str, PrivateKey], key_type: str) -> None:
    token = sign_jws({"alg": "none"}, PAYLOAD, keys[key_type])
    assert parse_jws(token).alg == ALG_OF[key_type]


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
def test_tampered_payload(keys: dict[str, PrivateKey], key_type: str) -> None:
    key = keys[key_type]
    header_b64, _, sig_b64 = sign_jws({}, PAYLOAD, key).split(".")
    token = f"{header_b64}.{segment({**PAYLOAD, 'name': 'Eve'})}.{sig_b64}"
    assert code_of(token, key.public_key) == "jose.signature-invalid"


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
def test_wrong_key_same_type(keys: dict[str, PrivateKey], key_type: str) -> None:
    token = sign_jws({}, PAYLOAD, keys[key_type])
    assert code_of(token, generate_key(key_type).public_key) == "jose.signature-invalid"


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
def test_truncated_signature(keys: dict[str, PrivateKey], key_type: str) -> None:
    key = keys[key_type]
    h, p, s = sign_jws({}, PAYLOAD, key).split(".")
    short = b64url_encode(b64url_decode(s)[:-6])
    assert code_of(f"{h}.{p}.{short}", key.public_key) == "jose.signature-invalid"


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES384", "RS256"])
def test_alg_must_match_key_type(keys: dict[str, PrivateKey], key_type: str, alg: str) -> None:
    """The header's alg is checked against the key, never trusted on its own."""
    if ALG_OF[key_type] == alg:
        return
    key = keys[key_type]
    token = forge({"alg": alg}, PAYLOAD, key)
    assert code_of(token, key.public_key) == "jose.alg-refused"


def test_es256_signature_under_es384_digest_is_refused(keys: dict[str, PrivateKey]) -> None:
    """A P-256 key with SHA-384 is not ES256 and not ES384."""
    key = keys["P-256"]
    token = forge({"alg": "ES384"}, PAYLOAD, key, hash_name="sha384")
    assert code_of(token, key.public_key) == "jose.alg-refused"


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_key_confusion(keys: dict[str, PrivateKey], key_type: str, alg: str) -> None:
    """The classic attack: HMAC keyed with the (public) verification key's bytes."""
    pub = keys[key_type].public_key
    secret = pub.key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{segment({'alg': alg})}.{segment(PAYLOAD)}"
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    mac = hmac.new(secret, signing_input.encode(), digest).digest()
    assert code_of(f"{signing_input}.{b64url_encode(mac)}", pub) == "jose.alg-refused"


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none(keys: dict[str, PrivateKey], alg: str) -> None:
    pub = keys["Ed25519"].public_key
    unsigned = f"{segment({'alg': alg})}.{segment(PAYLOAD)}."
    assert code_of(unsigned, pub) == "jose.alg-refused"
    assert code_of(unsigned + "AAAA", pub) == "jose.alg-refused"


@pytest.mark.parametrize("alg", ["ES512", "PS256", "RS512", "ES256K", "Ed25519", "", "eddsa"])
def test_unknown_alg(keys: dict[str, PrivateKey], alg: str) -> None:
    key = keys["Ed25519"]
    code = "jose.malformed" if alg == "" else "jose.alg-refused"
    assert code_of(forge({"alg": alg}, PAYLOAD, key), key.public_key) == code


def test_missing_alg(keys: dict[str, PrivateKey]) -> None:
    key = keys["Ed25519"]
    assert code_of(forge({"typ": "JWT"}, PAYLOAD, key), key.public_key) == "jose.malformed"


# --- header policy ---------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}},
        {"x5c": ["MIIB"]},
        {"zip": "DEF"},
        {"b64": False},
        {"b64": "false"},
    ],
)
@pytest.mark.parametrize("key_type", SIGNING_TYPES)
def test_refused_headers(keys: dict[str, PrivateKey], key_type: str, extra: dict[str, Any]) -> None:
    key = keys[key_type]
    token = sign_jws(extra, PAYLOAD, key)
    assert code_of(token, key.public_key) == "jose.header-refused"


@pytest.mark.parametrize("crit", [["exp"], ["b64"], ["urn:example:unknown"], [], "exp"])
def test_crit_refused(keys: dict[str, PrivateKey], crit: Any) -> None:
    key = keys["Ed25519"]
    token = sign_jws({"crit": crit, "exp": 1, "b64": True}, PAYLOAD, key)
    assert code_of(token, key.public_key) == "jose.crit-unknown"


def test_b64_true_is_harmless(keys: dict[str, PrivateKey]) -> None:
    key = keys["Ed25519"]
    header, _ = verify_jws(sign_jws({"b64": True}, PAYLOAD, key), key.public_key)
    assert header["b64"] is True


@pytest.mark.parametrize("name", ["kid", "typ", "cty"])
@pytest.mark.parametrize("value", [1, "", None, ["a"]])
def test_string_headers_must_be_strings(keys: dict[str, PrivateKey], name: str, value: Any) -> None:
    key = keys["Ed25519"]
    token = sign_jws({name: value}, PAYLOAD, key)
    assert code_of(token, key.public_key) == "jose.malformed"


# --- strict structure ----------------------------------------------------------------


def test_duplicate_member_in_header(keys: dict[str, PrivateKey]) -> None:
    key = keys["Ed25519"]
    header = b'{"alg":"EdDSA","kid":"a","kid":"b"}'
    signing_input = f"{segment(header)}.{segment(PAYLOAD)}"
    token = f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"
    assert code_of(token, key.public_key) == "jose.malformed"


def test_duplicate_member_in_payload(keys: dict[str, PrivateKey]) -> None:
    key = keys["Ed25519"]
    payload = b'{"iss":"did:example:a","sub":{"id":"x","id":"y"}}'
    signing_input = f"{segment({'alg': 'EdDSA'})}.{segment(payload)}"
    token = f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"
    assert code_of(token, key.public_key) == "jose.malformed"


@pytest.mark.parametrize(
    "payload",
    [b"[1,2]", b'"text"', b"1", b"null", b'{"a":NaN}', b'{"a":Infinity}', b"\xff\xfe{}", b"{"],
)
def test_payload_must_be_a_json_object(keys: dict[str, PrivateKey], payload: bytes) -> None:
    key = keys["Ed25519"]
    signing_input = f"{segment({'alg': 'EdDSA'})}.{segment(payload)}"
    token = f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"
    assert code_of(token, key.public_key) == "jose.malformed"


def test_header_must_be_a_json_object(keys: dict[str, PrivateKey]) -> None:
    key = keys["Ed25519"]
    signing_input = f"{segment(['EdDSA'])}.{segment(PAYLOAD)}"
    token = f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"
    assert code_of(token, key.public_key) == "jose.malformed"


def test_deep_nesting_is_malformed_not_a_crash(keys: dict[str, PrivateKey]) -> None:
    key = keys["Ed25519"]
    payload = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    signing_input = f"{segment({'alg': 'EdDSA'})}.{segment(payload)}"
    token = f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"
    assert code_of(token, key.public_key) == "jose.malformed"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h, p, s: f"{h}.{p}",  # two parts
        lambda h, p, s: f"{h}.{p}.{s}.{s}",  # four parts
        lambda h, p, s: f"{h}.{p}.{s}.x.y",  # JWE shape
        lambda h, p, s: f"{h}=.{p}.{s}",  # padding
        lambda h, p, s: f"{h}.{p}.{s}==",
        lambda h, p, s: f"{h}.{p}.{s.replace('-', '+').replace('_', '/')}+/",  # std alphabet
        lambda h, p, s: f"{h}.{p} .{s}",  # inner whitespace
        lambda h, p, s: f".{p}.{s}",  # empty header
        lambda h, p, s: f"{h}..{s}",  # empty payload
        lambda h, p, s: f"{h}.{p}.",  # empty signature
        lambda h, p, s: f"{h}.{p}.{s[:-1]}",  # impossible length or stray bits
    ],
)
def test_strict_compact_serialization(keys: dict[str, PrivateKey], mutate: Any) -> None:
    key = keys["Ed25519"]
    h, p, s = sign_jws({}, PAYLOAD, key).split(".")
    assert code_of(mutate(h, p, s), key.public_key) == "jose.malformed"


def test_non_canonical_base64_is_refused(keys: dict[str, PrivateKey]) -> None:
    """Changing unused trailing bits must not yield a second valid encoding."""
    key = keys["Ed25519"]
    h, p, s = sign_jws({}, PAYLOAD, key).split(".")
    # an Ed25519 signature is 64 bytes = 86 chars, the last carrying 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(s[-1])
    twin = s[:-1] + alphabet[last ^ 1]
    assert code_of(f"{h}.{p}.{twin}", key.public_key) == "jose.malformed"


def test_surrounding_whitespace_is_tolerated(keys: dict[str, PrivateKey]) -> None:
    key = keys["Ed25519"]
    token = sign_jws({}, PAYLOAD, key)
    assert verify_jws(f"  {token}\n", key.public_key)[1] == PAYLOAD


def test_looks_like_jwt() -> None:
    assert looks_like_jwt("eyJh.eyJi.c2ln")
    assert looks_like_jwt(" eyJh.eyJi.c2ln\n")
    assert not looks_like_jwt("eyJh.eyJi")
    assert not looks_like_jwt("eyJh.eyJi.c2ln.x")
    assert not looks_like_jwt("eyJh.eyJi.")
    assert not looks_like_jwt('{"@context": []}')
    assert not looks_like_jwt("a.b.c~disclosure~")
    assert not looks_like_jwt("a=.b.c")


# --- RS256 (verify only) ---------------------------------------------------------------


def test_rs256_verifies(rsa_key: rsa.RSAPrivateKey) -> None:
    pub = PublicKey("RSA", rsa_key.public_key())
    header, payload = verify_jws(rs256({"alg": "RS256"}, PAYLOAD, rsa_key), pub)
    assert header["alg"] == "RS256"
    assert payload == PAYLOAD


def test_rs256_tampered(rsa_key: rsa.RSAPrivateKey) -> None:
    pub = PublicKey("RSA", rsa_key.public_key())
    h, _, s = rs256({"alg": "RS256"}, PAYLOAD, rsa_key).split(".")
    token = f"{h}.{segment({**PAYLOAD, 'n': 2})}.{s}"
    assert code_of(token, pub) == "jose.signature-invalid"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES384", "PS256"])
def test_rsa_key_needs_rs256(rsa_key: rsa.RSAPrivateKey, alg: str) -> None:
    pub = PublicKey("RSA", rsa_key.public_key())
    assert code_of(rs256({"alg": alg}, PAYLOAD, rsa_key), pub) == "jose.alg-refused"


def test_rs256_header_with_ec_key(keys: dict[str, PrivateKey], rsa_key: rsa.RSAPrivateKey) -> None:
    token = rs256({"alg": "RS256"}, PAYLOAD, rsa_key)
    assert code_of(token, keys["P-256"].public_key) == "jose.alg-refused"


def test_rs256_weak_key_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    token = rs256({"alg": "RS256"}, PAYLOAD, weak)
    assert code_of(token, PublicKey("RSA", weak.public_key())) == "jose.alg-refused"


def test_rsa_hmac_confusion(rsa_key: rsa.RSAPrivateKey) -> None:
    pub = PublicKey("RSA", rsa_key.public_key())
    secret = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
    signing_input = f"{segment({'alg': 'HS256'})}.{segment(PAYLOAD)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    assert code_of(f"{signing_input}.{b64url_encode(mac)}", pub) == "jose.alg-refused"


def test_cannot_sign_rs256() -> None:
    class FakeRsa:
        key_type = "RSA"

    with pytest.raises(JoseError) as info:
        sign_jws({}, PAYLOAD, FakeRsa())  # type: ignore[arg-type]
    assert info.value.code == "jose.alg-refused"
