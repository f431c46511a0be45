"""Passkeys (WebAuthn, py_webauthn): register while signed in, sign in without a password.

User verification is required, and the origin and RP id are the server's own
(``settings.base_url``). Each challenge is stored server-side, lives five
minutes and is used once.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from datetime import timedelta
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from shared.errors import ServiceError
from shared.service.runtime import Runtime
from wallet.accounts import Learner
from wallet.common import iso, new_id, not_found, parse_iso

CHALLENGE_LIFETIME = timedelta(minutes=5)
RP_NAME = "Satchel"


def _refused(message: str) -> ServiceError:
    return ServiceError(message, code="auth.passkey-refused", status=401)


class Passkeys:
    """WebAuthn ceremonies and the learners' passkeys."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def origin(self) -> str:
        """The expected origin (scheme://host[:port])."""
        return self.runtime.settings.base_url

    @property
    def rp_id(self) -> str:
        """The relying party id: the server's host name."""
        return urllib.parse.urlsplit(self.origin).hostname or "localhost"

    async def _remember(self, learner_id: str | None, purpose: str, challenge: bytes) -> str:
        challenge_id = new_id()
        now = self.runtime.now()
        async with self.runtime.db.transaction() as conn:
            await conn.execute("DELETE FROM wallet_challenges WHERE expires_at < ?", (iso(now),))
            await conn.execute(
                "INSERT INTO wallet_challenges (id, learner_id, purpose, challenge, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (challenge_id, learner_id, purpose, challenge, iso(now + CHALLENGE_LIFETIME)),
            )
        return challenge_id

    async def _take(self, challenge_id: str, purpose: str) -> tuple[bytes, str | None]:
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT challenge, learner_id, expires_at FROM wallet_challenges "
                "WHERE id = ? AND purpose = ?",
                (challenge_id, purpose),
            )
            row = await cur.fetchone()
            await conn.execute("DELETE FROM wallet_challenges WHERE id = ?", (challenge_id,))
        if row is None or parse_iso(row["expires_at"]) <= self.runtime.now():
            raise _refused("The passkey challenge is unknown, used or expired; start again.")
        return bytes(row["challenge"]), row["learner_id"]

    async def registration_options(self, learner: Learner) -> dict[str, Any]:
        """Options for ``navigator.credentials.create`` (and the challenge id to answer with)."""
        existing = await self.runtime.db.fetchall(
            "SELECT credential_id FROM wallet_passkeys WHERE learner_id = ?", (learner.id,)
        )
        challenge = secrets.token_bytes(32)
        options = generate_registration_options(
            rp_id=self.rp_id,
            rp_name=RP_NAME,
            user_id=learner.id.encode("utf-8"),
            user_name=learner.username,
            challenge=challenge,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=base64url_to_bytes(r["credential_id"]))
                for r in existing
            ],
        )
        challenge_id = await self._remember(learner.id, "register", challenge)
        return {"challenge_id": challenge_id, "options": _json(options_to_json(options))}

    async def register(
        self, learner: Learner, challenge_id: str, credential: dict[str, Any]
    ) -> dict[str, str]:
        """Verify the authenticator's answer and keep the passkey."""
        challenge, owner = await self._take(challenge_id, "register")
        if owner != learner.id:
            raise _refused("This challenge was not issued to you.")
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origin,
                require_user_verification=True,
            )
        except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
            raise _refused(f"The passkey could not be registered: {exc}") from exc
        credential_id = bytes_to_base64url(verified.credential_id)
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM wallet_passkeys WHERE credential_id = ?", (credential_id,)
            )
            if await cur.fetchone() is not None:
                raise ServiceError(
                    "This passkey is already registered.", code="auth.passkey-exists", status=409
                )
            await conn.execute(
                "INSERT INTO wallet_passkeys (credential_id, learner_id, public_key, sign_count, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    credential_id,
                    learner.id,
                    verified.credential_public_key,
                    verified.sign_count,
                    iso(self.runtime.now()),
                ),
            )
        return {"id": credential_id}

    async def authentication_options(self) -> dict[str, Any]:
        """Options for ``navigator.credentials.get`` (discoverable credentials)."""
        challenge = secrets.token_bytes(32)
        options = generate_authentication_options(
            rp_id=self.rp_id,
            challenge=challenge,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        challenge_id = await self._remember(None, "login", challenge)
        return {"challenge_id": challenge_id, "options": _json(options_to_json(options))}

    async def authenticate(self, challenge_id: str, credential: dict[str, Any]) -> str:
        """Verify an assertion; the learner id it signs in."""
        challenge, _ = await self._take(challenge_id, "login")
        raw_id = credential.get("rawId") or credential.get("id")
        if not isinstance(raw_id, str):
            raise _refused("The assertion names no credential.")
        row = await self.runtime.db.fetchone(
            "SELECT learner_id, public_key, sign_count FROM wallet_passkeys "
            "WHERE credential_id = ?",
            (raw_id,),
        )
        if row is None:
            raise _refused("Unknown passkey.")
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origin,
                credential_public_key=bytes(row["public_key"]),
                credential_current_sign_count=int(row["sign_count"]),
                require_user_verification=True,
            )
        except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
            raise _refused(f"The passkey sign-in failed: {exc}") from exc
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "UPDATE wallet_passkeys SET sign_count = ? WHERE credential_id = ?",
                (verified.new_sign_count, raw_id),
            )
        return str(row["learner_id"])

    async def list(self, learner: Learner) -> list[dict[str, str]]:
        """The learner's passkeys."""
        rows = await self.runtime.db.fetchall(
            "SELECT credential_id, created_at FROM wallet_passkeys WHERE learner_id = ? "
            "ORDER BY created_at",
            (learner.id,),
        )
        return [{"id": r["credential_id"], "created_at": r["created_at"]} for r in rows]

    async def remove(self, learner: Learner, credential_id: str) -> None:
        """Remove one of the learner's passkeys."""
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM wallet_passkeys WHERE credential_id = ? AND learner_id = ?",
                (credential_id, learner.id),
            )
            if cur.rowcount == 0:
                raise not_found("passkey")


def _json(text: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(text)
    return value
