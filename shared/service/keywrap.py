"""Private keys encrypted at rest, bound to their owner.

A key blob is AES-256-GCM under a key derived (HKDF-SHA256) from the server
secret, with the owner's identity as associated data: a blob copied to another
owner's row fails to open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.errors import KeyFormatError
from shared.keys import PrivateKey, private_key_from_multikey

_VERSION = b"\x01"


def _kek(secret: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"satchel-keywrap-v1", info=purpose.encode()
    ).derive(secret)


def wrap_secret(
    plaintext: bytes, *, secret: bytes, owner: str, purpose: str = "private-key"
) -> bytes:
    """Encrypt ``plaintext`` for ``owner`` under the server ``secret``."""
    nonce = os.urandom(12)
    aad = f"{purpose}\x00{owner}".encode()
    return _VERSION + nonce + AESGCM(_kek(secret, purpose)).encrypt(nonce, plaintext, aad)


def unwrap_secret(blob: bytes, *, secret: bytes, owner: str, purpose: str = "private-key") -> bytes:
    """Decrypt a blob made by :func:`wrap_secret` for the same owner and purpose."""
    if len(blob) < 1 + 12 + 16 or blob[:1] != _VERSION:
        raise KeyFormatError("The stored key blob is malformed.", code="key.unwrap-failed")
    aad = f"{purpose}\x00{owner}".encode()
    try:
        return AESGCM(_kek(secret, purpose)).decrypt(blob[1:13], blob[13:], aad)
    except InvalidTag as exc:
        raise KeyFormatError(
            "The stored key cannot be opened for this owner (wrong secret or wrong owner).",
            code="key.unwrap-failed",
        ) from exc


def wrap_private_key(key: PrivateKey, *, secret: bytes, owner: str) -> bytes:
    """Encrypt a private key (its secret Multikey) for ``owner``."""
    return wrap_secret(key.multikey().encode(), secret=secret, owner=owner)


def unwrap_private_key(blob: bytes, *, secret: bytes, owner: str) -> PrivateKey:
    """Open a key made by :func:`wrap_private_key` for the same owner."""
    return private_key_from_multikey(unwrap_secret(blob, secret=secret, owner=owner).decode())
