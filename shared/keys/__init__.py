"""Keys: Multikey and JWK encodings of ``cryptography`` keys, signing and verifying.

Supported key types: ``Ed25519``, ``P-256``, ``P-384`` (sign and verify) and
``RSA`` (verify only; Open Badges 3.0 requires RS256 for JWTs). Signatures are
raw: Ed25519's 64 bytes, ECDSA as ``r || s`` (IEEE P1363), never DER.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from shared.errors import KeyFormatError, ProofError

KeyType = Literal["Ed25519", "P-256", "P-384", "RSA"]

# multicodec varint prefixes (https://github.com/multiformats/multicodec)
_PUB_PREFIX: dict[bytes, KeyType] = {
    b"\xed\x01": "Ed25519",
    b"\x80\x24": "P-256",
    b"\x81\x24": "P-384",
}
_PRIV_PREFIX: dict[bytes, KeyType] = {
    b"\x80\x26": "Ed25519",
    b"\x86\x26": "P-256",
    b"\x87\x26": "P-384",
}
_PREFIX_OF_PUB = {v: k for k, v in _PUB_PREFIX.items()}
_PREFIX_OF_PRIV = {v: k for k, v in _PRIV_PREFIX.items()}

_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
_COORD_LEN = {"P-256": 32, "P-384": 48}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
DEFAULT_HASH: dict[str, str] = {"P-256": "sha256", "P-384": "sha384"}

PublicKeyObject = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKeyObject = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b64url_decode(text: str) -> bytes:
    """Decode base64url, with or without padding; strict about the alphabet."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text):
        raise KeyFormatError("Invalid base64url text.", code="encoding.base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyFormatError("Invalid base64url text.", code="encoding.base64url") from exc


def multibase_decode(text: str) -> bytes:
    """Decode a multibase string (base58btc ``z`` or base64url ``u``)."""
    if not isinstance(text, str) or not text or text[0] not in "zu":
        raise KeyFormatError(
            "Expected a multibase string in base58btc ('z') or base64url ('u').",
            code="encoding.multibase",
        )
    if text[0] == "u":
        if "=" in text:
            raise KeyFormatError("Invalid multibase string.", code="encoding.multibase")
        try:
            return b64url_decode(text[1:])
        except KeyFormatError as exc:
            raise KeyFormatError("Invalid multibase string.", code="encoding.multibase") from exc
    return base58btc_decode(text[1:])


_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}


def base58btc_decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet) without a multibase prefix.

    Written here because the verify path decodes keys on every call and the
    ``multiformats`` package costs ~30 ms to import; tests compare it with
    ``multiformats`` on generated input.
    """
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            raise KeyFormatError("Invalid multibase string.", code="encoding.multibase")
        number = number * 58 + digit
    leading = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * leading + body


def multibase_b58(data: bytes) -> str:
    """Encode bytes as base58btc multibase (``z...``)."""
    from multiformats import multibase

    return str(multibase.encode(data, "base58btc"))


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key of a known type, able to verify raw signatures."""

    key_type: KeyType
    key: PublicKeyObject

    def verify(self, signature: bytes, data: bytes, *, hash_name: str | None = None) -> None:
        """Verify a raw signature over ``data``; raise ``ProofError`` if it does not hold.

        ``hash_name`` selects the digest for ECDSA/RSA (default: the curve's own).
        """
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, data)
            elif isinstance(self.key, ec.EllipticCurvePublicKey):
                n = _COORD_LEN[self.key_type]
                if len(signature) != 2 * n:
                    raise ProofError(
                        f"An ECDSA {self.key_type} signature must be {2 * n} bytes (r||s).",
                        code="proof.signature-invalid",
                    )
                der = encode_dss_signature(
                    int.from_bytes(signature[:n], "big"), int.from_bytes(signature[n:], "big")
                )
                algo = _HASHES[hash_name or DEFAULT_HASH[self.key_type]]()
                self.key.verify(der, data, ec.ECDSA(algo))
            else:
                algo = _HASHES[hash_name or "sha256"]()
                self.key.verify(signature, data, padding.PKCS1v15(), algo)
        except InvalidSignature as exc:
            raise ProofError(
                "The signature does not match the document and key.",
                code="proof.signature-invalid",
            ) from exc

    def multikey(self) -> str:
        """Multikey ``publicKeyMultibase`` (base58btc, multicodec prefixed)."""
        from cryptography.hazmat.primitives import serialization  # lazy: ~7 ms

        if self.key_type == "RSA":
            raise KeyFormatError("RSA keys have no Multikey form here.", code="key.unsupported")
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            raw = self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            raw = self.key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        return multibase_b58(_PREFIX_OF_PUB[self.key_type] + raw)

    def jwk(self) -> dict[str, str]:
        """Public JWK (RFC 7517 / RFC 8037)."""
        from cryptography.hazmat.primitives import serialization  # lazy: ~7 ms

        if isinstance(self.key, ed25519.Ed25519PublicKey):
            raw = self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            nums = self.key.public_numbers()
            n = _COORD_LEN[self.key_type]
            return {
                "kty": "EC",
                "crv": self.key_type,
                "x": b64url_encode(nums.x.to_bytes(n, "big")),
                "y": b64url_encode(nums.y.to_bytes(n, "big")),
            }
        rnums = self.key.public_numbers()
        return {
            "kty": "RSA",
            "n": b64url_encode(rnums.n.to_bytes((rnums.n.bit_length() + 7) // 8, "big")),
            "e": b64url_encode(rnums.e.to_bytes((rnums.e.bit_length() + 7) // 8, "big")),
        }

    def raw(self) -> bytes:
        """Raw public key bytes (Ed25519: 32 bytes; EC: compressed point)."""
        from cryptography.hazmat.primitives import serialization  # lazy: ~7 ms

        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            return self.key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        raise KeyFormatError("RSA keys have no raw form here.", code="key.unsupported")


@dataclass(frozen=True, slots=True)
class PrivateKey:
    """A private signing key (Ed25519, P-256 or P-384)."""

    key_type: KeyType
    key: PrivateKeyObject

    @property
    def public_key(self) -> PublicKey:
        """The matching public key."""
        return PublicKey(self.key_type, self.key.public_key())

    def sign(self, data: bytes, *, hash_name: str | None = None) -> bytes:
        """Sign ``data``: raw Ed25519 signature, or ECDSA ``r || s``."""
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(data)
        algo = _HASHES[hash_name or DEFAULT_HASH[self.key_type]]()
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(algo)))
        n = _COORD_LEN[self.key_type]
        return r.to_bytes(n, "big") + s.to_bytes(n, "big")

    def multikey(self) -> str:
        """Multikey ``secretKeyMultibase``."""
        from cryptography.hazmat.primitives import serialization  # lazy: ~7 ms

        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            raw = self.key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        else:
            raw = self.key.private_numbers().private_value.to_bytes(
                _COORD_LEN[self.key_type], "big"
            )
        return multibase_b58(_PREFIX_OF_PRIV[self.key_type] + raw)

    def jwk(self) -> dict[str, str]:
        """Private JWK (public members plus ``d``)."""
        from cryptography.hazmat.primitives import serialization  # lazy: ~7 ms

        jwk = self.public_key.jwk()
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            d = self.key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        else:
            d = self.key.private_numbers().private_value.to_bytes(_COORD_LEN[self.key_type], "big")
        return {**jwk, "d": b64url_encode(d)}


def generate_key(key_type: KeyType = "Ed25519") -> PrivateKey:
    """Generate a new private key of ``key_type``."""
    if key_type == "Ed25519":
        return PrivateKey("Ed25519", ed25519.Ed25519PrivateKey.generate())
    if key_type in _CURVES:
        return PrivateKey(key_type, ec.generate_private_key(_CURVES[key_type]))
    raise KeyFormatError(f"Cannot generate {key_type} keys.", code="key.unsupported")


def _ec_from_compressed(key_type: KeyType, raw: bytes) -> PublicKey:
    try:
        return PublicKey(
            key_type, ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[key_type], raw)
        )
    except ValueError as exc:
        raise KeyFormatError(f"Invalid {key_type} public key point.", code="key.invalid") from exc


def public_key_from_multikey(value: str) -> PublicKey:
    """Decode a Multikey ``publicKeyMultibase`` (Ed25519, P-256, P-384)."""
    data = multibase_decode(value)
    prefix, raw = data[:2], data[2:]
    key_type = _PUB_PREFIX.get(prefix)
    if key_type is None:
        raise KeyFormatError(
            "Unsupported Multikey type (expected Ed25519, P-256 or P-384).",
            code="key.unsupported",
        )
    if key_type == "Ed25519":
        if len(raw) != 32:
            raise KeyFormatError("An Ed25519 public key is 32 bytes.", code="key.invalid")
        return PublicKey("Ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw))
    return _ec_from_compressed(key_type, raw)


def public_key_from_ed25519_base58(value: str) -> PublicKey:
    """Decode an Ed25519VerificationKey2018 ``publicKeyBase58`` (raw, no prefix)."""
    raw = multibase_decode("z" + value)
    if len(raw) != 32:
        raise KeyFormatError("An Ed25519 public key is 32 bytes.", code="key.invalid")
    return PublicKey("Ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw))


def private_key_from_multikey(value: str) -> PrivateKey:
    """Decode a Multikey ``secretKeyMultibase``."""
    data = multibase_decode(value)
    prefix, raw = data[:2], data[2:]
    key_type = _PRIV_PREFIX.get(prefix)
    if key_type is None:
        raise KeyFormatError("Unsupported secret Multikey type.", code="key.unsupported")
    if key_type == "Ed25519":
        return PrivateKey("Ed25519", ed25519.Ed25519PrivateKey.from_private_bytes(raw))
    return PrivateKey(
        key_type, ec.derive_private_key(int.from_bytes(raw, "big"), _CURVES[key_type])
    )


def public_key_from_jwk(jwk: dict[str, Any], *, allow_private: bool = False) -> PublicKey:
    """Decode a public JWK; private members are refused unless ``allow_private``."""
    if not isinstance(jwk, dict):
        raise KeyFormatError("A JWK must be a JSON object.", code="key.invalid")
    if not allow_private and any(m in jwk for m in ("d", "p", "q", "dp", "dq", "qi", "k")):
        raise KeyFormatError(
            "The JWK contains private key material; refusing it as a public key.",
            code="key.private-material",
        )
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            raw = b64url_decode(jwk["x"])
            if len(raw) != 32:
                raise KeyFormatError("An Ed25519 public key is 32 bytes.", code="key.invalid")
            return PublicKey("Ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw))
        if kty == "EC" and crv in _CURVES:
            n = _COORD_LEN[crv]
            x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
            if len(x) != n or len(y) != n:
                raise KeyFormatError(f"Invalid {crv} coordinates.", code="key.invalid")
            nums = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), _CURVES[crv]
            )
            return PublicKey(crv, nums.public_key())
        if kty == "RSA":
            n_int = int.from_bytes(b64url_decode(jwk["n"]), "big")
            e_int = int.from_bytes(b64url_decode(jwk["e"]), "big")
            if n_int.bit_length() < 2048:
                raise KeyFormatError("RSA keys under 2048 bits are refused.", code="key.weak")
            return PublicKey("RSA", rsa.RSAPublicNumbers(e_int, n_int).public_key())
    except KeyError as exc:
        raise KeyFormatError(f"The JWK lacks member {exc}.", code="key.invalid") from exc
    except ValueError as exc:
        raise KeyFormatError(f"Invalid JWK: {exc}", code="key.invalid") from exc
    raise KeyFormatError(f"Unsupported JWK (kty={kty!r}, crv={crv!r}).", code="key.unsupported")


def private_key_from_jwk(jwk: dict[str, Any]) -> PrivateKey:
    """Decode a private JWK (Ed25519, P-256, P-384)."""
    pub = public_key_from_jwk(jwk, allow_private=True)
    d = b64url_decode(str(jwk.get("d", "")))
    if pub.key_type == "Ed25519":
        return PrivateKey("Ed25519", ed25519.Ed25519PrivateKey.from_private_bytes(d))
    if pub.key_type in _CURVES:
        return PrivateKey(
            pub.key_type, ec.derive_private_key(int.from_bytes(d, "big"), _CURVES[pub.key_type])
        )
    raise KeyFormatError("Unsupported private JWK.", code="key.unsupported")
