"""PBES2 JWE: round trips, wrong passphrase, tampering, bounded iterations."""

from __future__ import annotations

import json

import pytest

from shared.errors import JoseError
from shared.jose.jwe import decrypt_with_passphrase, encrypt_with_passphrase, jwe_header
from shared.keys import b64url_decode, b64url_encode


@pytest.mark.parametrize("alg", ["PBES2-HS256+A128KW", "PBES2-HS512+A256KW"])
def test_round_trip(alg: str) -> None:
    token = encrypt_with_passphrase(b"secret things", "pass phrase", alg=alg, iterations=2000)
    assert token.count(".") == 4
    plaintext, header = decrypt_with_passphrase(token, "pass phrase")
    assert plaintext == b"secret things" and header["alg"] == alg and header["p2c"] == 2000
    with pytest.raises(JoseError) as wrong:
        decrypt_with_passphrase(token, "other phrase")
    assert wrong.value.code == "jwe.decrypt-failed"


def test_tampered_header_or_ciphertext_fails() -> None:
    token = encrypt_with_passphrase(b"data", "pw", iterations=1000, content_type="x")
    parts = token.split(".")
    header = json.loads(b64url_decode(parts[0]))
    header["cty"] = "y"  # the header is authenticated data
    forged = ".".join([b64url_encode(json.dumps(header).encode()), *parts[1:]])
    with pytest.raises(JoseError):
        decrypt_with_passphrase(forged, "pw")
    flipped = bytearray(b64url_decode(parts[3]))
    flipped[0] ^= 1
    with pytest.raises(JoseError):
        decrypt_with_passphrase(
            ".".join([*parts[:3], b64url_encode(bytes(flipped)), parts[4]]), "pw"
        )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"p2c": 10**8}, "jwe.iterations"),
        ({"p2c": 10}, "jwe.iterations"),
        ({"p2c": "1000"}, "jwe.iterations"),
        ({"alg": "dir"}, "jwe.unsupported"),
        ({"enc": "A128CBC-HS256"}, "jwe.unsupported"),
        ({"zip": "DEF"}, "jwe.unsupported"),
        ({"p2s": "AAAA"}, "jwe.malformed"),
    ],
)
def test_header_bounds_checked_before_deriving(change: dict[str, object], code: str) -> None:
    token = encrypt_with_passphrase(b"data", "pw", iterations=1000)
    parts = token.split(".")
    header = {**json.loads(b64url_decode(parts[0])), **change}
    forged = ".".join([b64url_encode(json.dumps(header).encode()), *parts[1:]])
    with pytest.raises(JoseError) as err:
        jwe_header(forged)
    assert err.value.code == code
