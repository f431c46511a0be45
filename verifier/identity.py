"""The verifier's own identity: a did:key whose private key is kept encrypted at rest.

It signs OpenID4VP Request Objects (``client_id`` = ``decentralized_identifier:<did>``)
and verification receipts. Made on first use, stored wrapped under the server secret.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from shared.did.key import did_key_for
from shared.keys import PrivateKey, generate_key
from shared.service.keywrap import unwrap_private_key, wrap_private_key
from shared.service.runtime import Runtime
from shared.verification.dates import iso

_OWNER = "verifier:identity"


@dataclass(frozen=True)
class Identity:
    """The verifier's DID, its signing key and verification method id."""

    did: str
    key: PrivateKey

    @property
    def verification_method(self) -> str:
        """The did:key's one verification method."""
        return f"{self.did}#{self.did.split(':')[2]}"


class IdentityStore:
    """Loads (or creates once) the verifier identity from the database."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._identity: Identity | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Identity:
        """The identity, created and stored on first use."""
        if self._identity is not None:
            return self._identity
        async with self._lock:
            if self._identity is None:
                self._identity = await self._load_or_create()
            return self._identity

    async def _load_or_create(self) -> Identity:
        db, secret = self._runtime.db, self._runtime.settings.secret
        row = await db.fetchone("SELECT did, key_blob FROM verifier_identity WHERE id = 1")
        if row is not None:
            key = unwrap_private_key(bytes(row["key_blob"]), secret=secret, owner=_OWNER)
            return Identity(did=str(row["did"]), key=key)
        key = generate_key("Ed25519")
        did = did_key_for(key.public_key)
        blob = wrap_private_key(key, secret=secret, owner=_OWNER)
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO verifier_identity (id, did, key_blob, created_at) "
                "VALUES (1, ?, ?, ?)",
                (did, blob, iso(self._runtime.now())),
            )
        row = await db.fetchone("SELECT did, key_blob FROM verifier_identity WHERE id = 1")
        assert row is not None
        stored = unwrap_private_key(bytes(row["key_blob"]), secret=secret, owner=_OWNER)
        return Identity(did=str(row["did"]), key=stored)
