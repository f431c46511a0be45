"""Password-based JWE (RFC 7516 / RFC 7518 §4.8): PBES2 key wrapping with AES-GCM content.

For encrypted backups: ``PBES2-HS256+A128KW`` or ``PBES2-HS512+A256KW`` with
``A256GCM``, compact serialization. On decryption the iteration count ``p2c``
is bounded (a hostile file must not make the server spin) and the salt must be
at least 8 bytes; anything else is refused before any key is derived.
"""

from __future__ import annotations

import json
import os
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from shared.errors import JoseError
from shared.jose.jws import b64url_strict, strict_json_object
from shared.keys import b64url_encode

ALGORITHMS: Final[dict[str, tuple[type[hashes.HashAlgorithm], int]]] = {
    "PBES2-HS256+A128KW": (hashes.SHA256, 16),
    "PBES2-HS512+A256KW": (hashes.SHA512, 32),
}
ENC: Final = "A256GCM"
DEFAULT_ITERATIONS: Final = 210_000  # OWASP's figure for PBKDF2-HMAC-SHA512
MIN_ITERATIONS: Final = 1_000
MAX_ITERATIONS: Final = 1_000_000
MAX_JWE_BYTES: Final = 64 * 1024 * 1024


def _fail(message: str, code: str = "jwe.malformed") -> JoseError:
    return JoseError(message, code=code)


def _kek(alg: str, passphrase: str, salt_input: bytes, iterations: int) -> bytes:
    algorithm, length = ALGORITHMS[alg]
    salt = alg.encode("ascii") + b"\x00" + salt_input
    return PBKDF2HMAC(
        algorithm=algorithm(), length=length, salt=salt, iterations=iterations
    ).derive(passphrase.encode("utf-8"))


def encrypt_with_passphrase(
    plaintext: bytes,
    passphrase: str,
    *,
    alg: str = "PBES2-HS512+A256KW",
    iterations: int = DEFAULT_ITERATIONS,
    content_type: str | None = None,
) -> str:
    """Encrypt ``plaintext`` under ``passphrase``; compact JWE."""
    if alg not in ALGORITHMS:
        raise _fail(f"Unsupported JWE algorithm {alg!r}.", "jwe.unsupported")
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise _fail("The iteration count is out of bounds.", "jwe.iterations")
    if not passphrase:
        raise _fail("A passphrase is required.", "jwe.passphrase")
    salt_input = os.urandom(16)
    header: dict[str, Any] = {
        "alg": alg,
        "enc": ENC,
        "p2s": b64url_encode(salt_input),
        "p2c": iterations,
    }
    if content_type:
        header["cty"] = content_type
    protected = b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
    cek = AESGCM.generate_key(bit_length=256)
    encrypted_key = aes_key_wrap(_kek(alg, passphrase, salt_input, iterations), cek)
    iv = os.urandom(12)
    sealed = AESGCM(cek).encrypt(iv, plaintext, protected.encode("ascii"))
    ciphertext, tag = sealed[:-16], sealed[-16:]
    return ".".join(
        [
            protected,
            b64url_encode(encrypted_key),
            b64url_encode(iv),
            b64url_encode(ciphertext),
            b64url_encode(tag),
        ]
    )


def jwe_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWE, checked (no key derived)."""
    parts = token.strip().split(".")
    if len(parts) != 5:
        raise _fail("A compact JWE has 5 dot-separated parts.")
    header = strict_json_object(b64url_strict(parts[0], "header"), "header")
    alg, enc, p2c, p2s = header.get("alg"), header.get("enc"), header.get("p2c"), header.get("p2s")
    if alg not in ALGORITHMS:
        raise _fail(f"Unsupported JWE algorithm {alg!r}.", "jwe.unsupported")
    if enc != ENC:
        raise _fail(f"Unsupported JWE content encryption {enc!r}.", "jwe.unsupported")
    if header.get("zip") is not None or header.get("crit") is not None:
        raise _fail("Compressed or critical-extension JWEs are refused.", "jwe.unsupported")
    if (
        not isinstance(p2c, int)
        or isinstance(p2c, bool)
        or not MIN_ITERATIONS <= p2c <= MAX_ITERATIONS
    ):
        raise _fail(
            f"The iteration count must be between {MIN_ITERATIONS} and {MAX_ITERATIONS}.",
            "jwe.iterations",
        )
    if not isinstance(p2s, str) or len(b64url_strict(p2s, "p2s")) < 8:
        raise _fail("The PBES2 salt (p2s) must be at least 8 bytes.")
    return header


def decrypt_with_passphrase(token: str, passphrase: str) -> tuple[bytes, dict[str, Any]]:
    """Decrypt a compact JWE made with a passphrase; returns (plaintext, header)."""
    if not isinstance(token, str) or len(token) > MAX_JWE_BYTES:
        raise _fail("The JWE is too large or not text.")
    header = jwe_header(token)
    protected, encrypted_key, iv, ciphertext, tag = token.strip().split(".")
    salt_input = b64url_strict(header["p2s"], "p2s")
    kek = _kek(header["alg"], passphrase, salt_input, header["p2c"])
    try:
        cek = aes_key_unwrap(kek, b64url_strict(encrypted_key, "encrypted key"))
    except (InvalidUnwrap, ValueError) as exc:
        raise _fail("Wrong passphrase, or the file was changed.", "jwe.decrypt-failed") from exc
    nonce = b64url_strict(iv, "iv")
    if len(cek) != 32 or len(nonce) != 12:
        raise _fail("The JWE's key or IV has the wrong length.")
    try:
        plaintext = AESGCM(cek).decrypt(
            nonce,
            b64url_strict(ciphertext, "ciphertext") + b64url_strict(tag, "tag"),
            protected.encode("ascii"),
        )
    except InvalidTag as exc:
        raise _fail("Wrong passphrase, or the file was changed.", "jwe.decrypt-failed") from exc
    return plaintext, header
