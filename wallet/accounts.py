"""Learners: accounts, passwords (argon2id), sessions and holder DIDs.

Every method that reads or changes a learner's data takes the learner: there is
no way to ask for another learner's rows. Holder private keys are stored
wrapped (``shared.service.keywrap``) for their owner ``wallet:<learner>:<did>``,
so a blob copied to another learner's row does not open.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.did.key import did_key_for
from shared.errors import ServiceError
from shared.keys import PrivateKey, generate_key
from shared.service.keywrap import unwrap_private_key, wrap_private_key
from shared.service.runtime import Runtime
from wallet.common import iso, new_id, not_found, parse_iso, sha256_hex

SESSION_LIFETIME = timedelta(days=7)
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{2,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_DIDS = 5

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# A hash to verify against when the username is unknown (same time either way).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Learner:
    """A signed-in learner."""

    id: str
    username: str


@dataclass(frozen=True)
class HolderKey:
    """A learner's signing key with its DID and verification method."""

    did: str
    verification_method: str
    key: PrivateKey


def _owner(learner_id: str, did: str) -> str:
    return f"wallet:{learner_id}:{did}"


def _new_holder_key() -> tuple[PrivateKey, str]:
    key = generate_key("Ed25519")
    return key, did_key_for(key.public_key)


def verification_method_of(did: str) -> str:
    """The did:key verification method id of ``did``."""
    return f"{did}#{did.split(':')[-1]}"


class Accounts:
    """The learners' repository."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def register(self, username: str, password: str) -> Learner:
        """Create a learner with a password and a fresh holder DID."""
        if not USERNAME.fullmatch(username):
            raise ServiceError(
                "A username is 3 to 64 letters, digits or . _ @ + - characters.",
                code="auth.bad-username",
                status=422,
            )
        check_password_shape(password)
        learner = Learner(new_id(), username)
        hashed = _hasher.hash(password)
        key, did = _new_holder_key()
        now = iso(self.runtime.now())
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM wallet_learners WHERE username = ?", (username,)
            )
            if await cur.fetchone() is not None:
                raise ServiceError(
                    "That username is taken.", code="auth.username-taken", status=409
                )
            await conn.execute(
                "INSERT INTO wallet_learners (id, username, password_hash, created_at) "
                "VALUES (?, ?, ?, ?)",
                (learner.id, username, hashed, now),
            )
            await conn.execute(
                "INSERT INTO wallet_dids (did, learner_id, key_blob, is_primary, label, created_at)"
                " VALUES (?, ?, ?, 1, 'primary', ?)",
                (did, learner.id, self._wrap(learner.id, did, key), now),
            )
        return learner

    def _wrap(self, learner_id: str, did: str, key: PrivateKey) -> bytes:
        return wrap_private_key(
            key, secret=self.runtime.settings.secret, owner=_owner(learner_id, did)
        )

    async def check_password(self, username: str, password: str) -> Learner | None:
        """The learner if ``password`` is theirs (argon2id; same work for unknown names)."""
        row = await self.runtime.db.fetchone(
            "SELECT id, username, password_hash FROM wallet_learners WHERE username = ?",
            (username,),
        )
        stored = row["password_hash"] if row is not None and row["password_hash"] else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):
            async with self.runtime.db.transaction() as conn:
                await conn.execute(
                    "UPDATE wallet_learners SET password_hash = ? WHERE id = ?",
                    (_hasher.hash(password), row["id"]),
                )
        return Learner(row["id"], row["username"])

    async def by_id(self, learner_id: str) -> Learner | None:
        """A learner by id (used by passkey sign-in)."""
        row = await self.runtime.db.fetchone(
            "SELECT id, username FROM wallet_learners WHERE id = ?", (learner_id,)
        )
        return Learner(row["id"], row["username"]) if row else None

    # -- sessions ------------------------------------------------------------------------

    async def open_session(self, learner: Learner) -> str:
        """A new session token for ``learner`` (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = self.runtime.now()
        async with self.runtime.db.transaction() as conn:
            await conn.execute("DELETE FROM wallet_sessions WHERE expires_at < ?", (iso(now),))
            await conn.execute(
                "INSERT INTO wallet_sessions (token_hash, learner_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (sha256_hex(token), learner.id, iso(now), iso(now + SESSION_LIFETIME)),
            )
        return token

    async def session_learner(self, token: str) -> Learner | None:
        """The learner of a live session token."""
        row = await self.runtime.db.fetchone(
            "SELECT l.id, l.username, s.expires_at FROM wallet_sessions s "
            "JOIN wallet_learners l ON l.id = s.learner_id WHERE s.token_hash = ?",
            (sha256_hex(token),),
        )
        if row is None or parse_iso(row["expires_at"]) <= self.runtime.now():
            return None
        return Learner(row["id"], row["username"])

    async def close_session(self, token: str) -> None:
        """End a session."""
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM wallet_sessions WHERE token_hash = ?", (sha256_hex(token),)
            )

    # -- holder DIDs ---------------------------------------------------------------------

    async def dids(self, learner: Learner) -> list[dict[str, object]]:
        """The learner's DIDs, primary first."""
        rows = await self.runtime.db.fetchall(
            "SELECT did, is_primary, label, created_at FROM wallet_dids WHERE learner_id = ? "
            "ORDER BY is_primary DESC, created_at, did",
            (learner.id,),
        )
        return [
            {
                "did": r["did"],
                "primary": bool(r["is_primary"]),
                "label": r["label"],
                "created_at": r["created_at"],
            }
            for r in rows
        ]

    async def add_did(self, learner: Learner, label: str | None) -> str:
        """A second (third...) profile DID for ``learner``."""
        key, did = _new_holder_key()
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT COUNT(*) FROM wallet_dids WHERE learner_id = ?", (learner.id,)
            )
            row = await cur.fetchone()
            if row is not None and row[0] >= MAX_DIDS:
                raise ServiceError(
                    f"A learner may hold at most {MAX_DIDS} DIDs.", code="did.limit", status=409
                )
            await conn.execute(
                "INSERT INTO wallet_dids (did, learner_id, key_blob, is_primary, label, created_at)"
                " VALUES (?, ?, ?, 0, ?, ?)",
                (did, learner.id, self._wrap(learner.id, did, key), label, iso(self.runtime.now())),
            )
        return did

    async def restore_did(self, conn: Any, learner: Learner, key: PrivateKey, label: str) -> bool:
        """Add a DID from a backup (inside the caller's transaction); False if already held."""
        did = did_key_for(key.public_key)
        cur = await conn.execute("SELECT 1 FROM wallet_dids WHERE did = ?", (did,))
        if await cur.fetchone() is not None:
            return False
        await conn.execute(
            "INSERT INTO wallet_dids (did, learner_id, key_blob, is_primary, label, created_at)"
            " VALUES (?, ?, ?, 0, ?, ?)",
            (did, learner.id, self._wrap(learner.id, did, key), label, iso(self.runtime.now())),
        )
        return True

    async def holder_key(self, learner: Learner, did: str | None = None) -> HolderKey:
        """The learner's signing key (their primary DID unless ``did`` names another)."""
        if did is None:
            row = await self.runtime.db.fetchone(
                "SELECT did, key_blob FROM wallet_dids WHERE learner_id = ? AND is_primary = 1",
                (learner.id,),
            )
        else:
            row = await self.runtime.db.fetchone(
                "SELECT did, key_blob FROM wallet_dids WHERE learner_id = ? AND did = ?",
                (learner.id, did),
            )
        if row is None:
            raise not_found("DID")
        key = unwrap_private_key(
            bytes(row["key_blob"]),
            secret=self.runtime.settings.secret,
            owner=_owner(learner.id, row["did"]),
        )
        return HolderKey(row["did"], verification_method_of(row["did"]), key)


def check_password_shape(password: str) -> None:
    """Refuse passwords too short to resist guessing, or absurdly long."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ServiceError(
            f"A password is {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            code="auth.weak-password",
            status=422,
        )


__all__ = ["Accounts", "HolderKey", "Learner", "check_password_shape", "verification_method_of"]


async def export_keys(accounts: Accounts, learner: Learner) -> list[dict[str, object]]:
    """The learner's DIDs with their private keys (for an encrypted backup only)."""
    out: list[dict[str, object]] = []
    for entry in await accounts.dids(learner):
        holder = await accounts.holder_key(learner, str(entry["did"]))
        out.append({**entry, "secret": holder.key.multikey()})
    return out
