"""Compact JWS (RFC 7515): strict parsing, header policy, signing and verifying.

Only the compact serialization with a JSON-object payload is handled. Keys never
come from the token itself: headers that carry or point at keys (``jwk``, ``jku``,
``x5c``, ``x5u``) are refused, as are ``crit``, unencoded payloads (``b64: false``)
and compression (``zip``). The ``alg`` is always checked against the key's type.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from shared.errors import InputError, JoseError, ProofError
from shared.keys import KeyType, PrivateKey, PublicKey, b64url_encode
from shared.verification.parse import strict_loads

# alg -> (key type it requires, digest name for PublicKey.verify / PrivateKey.sign)
ALGORITHMS: Final[dict[str, tuple[KeyType, str | None]]] = {
    "EdDSA": ("Ed25519", None),
    "ES256": ("P-256", "sha256"),
    "ES384": ("P-384", "sha384"),
    "RS256": ("RSA", "sha256"),
}
SIGNING_ALGORITHMS: Final[frozenset[str]] = frozenset({"EdDSA", "ES256", "ES384"})
ALG_FOR_KEY_TYPE: Final[dict[str, str]] = {kt: alg for alg, (kt, _) in ALGORITHMS.items()}

REFUSED_HEADERS: Final[dict[str, str]] = {
    "jku": "keys are only taken from the issuer's DID, never from a URL in the token",
    "x5u": "keys are only taken from the issuer's DID, never from a URL in the token",
    "jwk": "keys are only taken from the issuer's DID, never from the token itself",
    "x5c": "keys are only taken from the issuer's DID, never from a certificate in the token",
    "zip": "compressed payloads are not accepted",
}

MAX_TOKEN_LENGTH: Final = 2_000_000
MIN_RSA_BITS: Final = 2048

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A structurally valid compact JWS whose header passed the policy checks."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        """The (already vetted) ``alg`` header value."""
        return str(self.header["alg"])


def _malformed(message: str) -> NoReturn:
    raise JoseError(message, code="jose.malformed")


def b64url_strict(part: str, what: str) -> bytes:
    """Decode unpadded, canonical base64url; anything else is ``jose.malformed``."""
    if not _B64URL.fullmatch(part) or len(part) % 4 == 1:
        _malformed(f"The JWS {what} is not unpadded base64url.")
    data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    if b64url_encode(data) != part:
        _malformed(f"The JWS {what} is not canonical base64url (stray trailing bits).")
    return data


def strict_json_object(data: bytes, what: str) -> dict[str, Any]:
    """Parse UTF-8 JSON that must be an object, refusing duplicate member names."""
    try:
        value = strict_loads(data.decode("utf-8"))
    except InputError as exc:
        raise JoseError(f"The JWS {what}: {exc.message}", code="jose.malformed") from exc
    except (ValueError, RecursionError) as exc:
        raise JoseError(f"The JWS {what} is not valid UTF-8 JSON.", code="jose.malformed") from exc
    if not isinstance(value, dict):
        _malformed(f"The JWS {what} must be a JSON object.")
    return value


def check_header(header: dict[str, Any]) -> str:
    """Apply the header policy; return the vetted ``alg``."""
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        _malformed("The JWS header has no 'alg'.")
    if alg.lower() == "none":
        raise JoseError("Unsecured JWS ('alg': 'none') is refused.", code="jose.alg-refused")
    if alg.upper().startswith("HS"):
        raise JoseError(
            f"Symmetric algorithm {alg!r} is refused: a credential needs a public-key signature.",
            code="jose.alg-refused",
        )
    if alg not in ALGORITHMS:
        raise JoseError(
            f"Algorithm {alg!r} is not supported (supported: {', '.join(ALGORITHMS)}).",
            code="jose.alg-refused",
        )
    if "crit" in header:
        raise JoseError(
            f"The JWS marks header parameters as critical ({header['crit']!r}); none are "
            f"understood here, so the token is refused.",
            code="jose.crit-unknown",
        )
    for name, why in REFUSED_HEADERS.items():
        if name in header:
            raise JoseError(
                f"Header parameter {name!r} is refused: {why}.", code="jose.header-refused"
            )
    if "b64" in header and header["b64"] is not True:
        raise JoseError("Unencoded payloads ('b64') are refused.", code="jose.header-refused")
    for name in ("kid", "typ", "cty"):
        if name in header and (not isinstance(header[name], str) or not header[name]):
            _malformed(f"Header parameter {name!r} must be a non-empty string.")
    return alg


def looks_like_jwt(text: str) -> bool:
    """True if ``text`` (ignoring surrounding whitespace) is three base64url parts."""
    return isinstance(text, str) and _JWT_SHAPE.fullmatch(text.strip(_WHITESPACE)) is not None


def parse_jws(token: str) -> ParsedJws:
    """Parse a compact JWS and apply the header policy (no signature check yet)."""
    if not isinstance(token, str):
        _malformed("A compact JWS must be text.")
    token = token.strip(_WHITESPACE)
    if len(token) > MAX_TOKEN_LENGTH:
        _malformed(f"The token is longer than {MAX_TOKEN_LENGTH} characters.")
    parts = token.split(".")
    if len(parts) != 3:
        _malformed(
            f"A compact JWS has 3 dot-separated parts, this has {len(parts)}"
            + (
                " (5 parts is an encrypted JWE, which is not supported)."
                if len(parts) == 5
                else "."
            )
        )
    header_b64, payload_b64, signature_b64 = parts
    if not header_b64 or not payload_b64:
        _malformed("The JWS header and payload must not be empty.")
    header = strict_json_object(b64url_strict(header_b64, "header"), "header")
    check_header(header)
    signature = b64url_strict(signature_b64, "signature")
    if not signature:
        _malformed("The JWS has no signature.")
    payload = strict_json_object(b64url_strict(payload_b64, "payload"), "payload")
    return ParsedJws(
        header=header,
        payload=payload,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
    )


def check_alg_for_key(alg: str, key: PublicKey) -> None:
    """Refuse unless ``alg`` is exactly the algorithm of ``key``'s type."""
    expected = ALGORITHMS.get(alg)
    if expected is None or expected[0] != key.key_type:
        raise JoseError(
            f"Algorithm {alg!r} does not match the {key.key_type} key of the signer "
            f"(expected {ALG_FOR_KEY_TYPE.get(key.key_type, 'none')!r}).",
            code="jose.alg-refused",
        )
    if key.key_type == "RSA":
        bits: int = getattr(key.key, "key_size", 0)
        if bits < MIN_RSA_BITS:
            raise JoseError(
                f"RSA keys under {MIN_RSA_BITS} bits are refused.", code="jose.alg-refused"
            )


def verify_parsed(parsed: ParsedJws, key: PublicKey) -> None:
    """Check ``parsed``'s signature with ``key``; ``jose.signature-invalid`` if it fails."""
    check_alg_for_key(parsed.alg, key)
    _, hash_name = ALGORITHMS[parsed.alg]
    try:
        key.verify(parsed.signature, parsed.signing_input, hash_name=hash_name)
    except ProofError as exc:
        raise JoseError(
            "The JWS signature does not match the token and the signer's key.",
            code="jose.signature-invalid",
        ) from exc


def verify_jws(token: str, key: PublicKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse and verify a compact JWS with a known key; return ``(header, payload)``."""
    parsed = parse_jws(token)
    verify_parsed(parsed, key)
    return parsed.header, parsed.payload


def encode_json(value: dict[str, Any]) -> str:
    """Compact UTF-8 JSON, base64url-encoded (a JWS header or payload segment)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return b64url_encode(text.encode("utf-8"))


def sign_jws(header: dict[str, Any], payload: dict[str, Any], key: PrivateKey) -> str:
    """Sign ``payload`` as a compact JWS; ``alg`` is set from the key type."""
    alg = ALG_FOR_KEY_TYPE.get(key.key_type)
    if alg is None or alg not in SIGNING_ALGORITHMS:
        raise JoseError(f"Cannot sign with a {key.key_type} key.", code="jose.alg-refused")
    full_header = {"alg": alg, **{k: v for k, v in header.items() if k != "alg"}}
    signing_input = f"{encode_json(full_header)}.{encode_json(payload)}"
    _, hash_name = ALGORITHMS[alg]
    signature = key.sign(signing_input.encode("ascii"), hash_name=hash_name)
    return f"{signing_input}.{b64url_encode(signature)}"
