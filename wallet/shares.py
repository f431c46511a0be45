"""Shares: a holder-signed presentation published at ``/s/<token>`` until it expires or is revoked.

The token is 256 random bits; only its SHA-256 is stored. A revoked, expired or
unknown token are told apart by nobody (all answer 404). Every opening is logged
(time and user agent) for the learner to see.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
import uuid
from datetime import timedelta
from typing import Any

from shared.display import display_fields
from shared.errors import ServiceError
from shared.presentation import build_presentation, sign_presentation
from shared.sd import derive_disclosure, full_disclosure, sd_base_proof
from shared.service.runtime import Runtime
from wallet.accounts import HolderKey, Learner
from wallet.common import dumps, iso, new_id, not_found, parse_iso, sha256_hex
from wallet.credentials import Credentials
from wallet.qr import qr_svg

MAX_SHARE_LIFETIME = timedelta(days=366)
MAX_USER_AGENT = 300


def share_url(runtime: Runtime, token: str) -> str:
    """The public URL of a share token."""
    return f"{runtime.settings.base_url}/s/{token}"


def linkedin_url(display: dict[str, Any], url: str) -> str:
    """LinkedIn's "Add licence or certification" link pointing at the share."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": display.get("name") or "Credential",
        "organizationName": display.get("issuer", {}).get("name")
        or display.get("issuer", {}).get("id", ""),
        "certUrl": url,
    }
    issued = display.get("issued")
    if isinstance(issued, str) and len(issued) >= 7:
        params["issueYear"], params["issueMonth"] = issued[:4], str(int(issued[5:7]))
    expires = display.get("expires")
    if isinstance(expires, str) and len(expires) >= 7:
        params["expirationYear"], params["expirationMonth"] = expires[:4], str(int(expires[5:7]))
    if display.get("id"):
        params["certId"] = str(display["id"])
    return "https://www.linkedin.com/profile/add?" + urllib.parse.urlencode(params)


async def presented_documents(
    credentials: Credentials,
    learner: Learner,
    credential_ids: list[str],
    disclose: dict[str, list[str]] | None,
) -> list[dict[str, Any] | str]:
    """The documents to present: selective-disclosure credentials are derived first.

    A credential with an ecdsa-sd-2023 base proof reveals what ``disclose`` names
    for it (plus its mandatory fields), or everything if the learner named nothing.
    """
    disclose = disclose or {}
    unknown = set(disclose) - set(credential_ids)
    if unknown:
        raise ServiceError(
            "disclose names credentials that are not being shared.",
            code="share.bad-disclose",
            status=400,
        )
    documents = await credentials.documents(learner, credential_ids)
    out: list[dict[str, Any] | str] = []
    for credential_id, document in zip(credential_ids, documents, strict=True):
        if isinstance(document, dict) and sd_base_proof(document) is not None:
            pointers = disclose.get(credential_id)
            out.append(
                derive_disclosure(document, pointers) if pointers else full_disclosure(document)
            )
        elif credential_id in disclose:
            raise ServiceError(
                "Only credentials with an ecdsa-sd-2023 proof can disclose selected fields.",
                code="share.not-selective",
                status=422,
            )
        else:
            out.append(document)
    return out


def signed_presentation(
    runtime: Runtime,
    holder: HolderKey,
    documents: list[dict[str, Any] | str],
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """A presentation of ``documents`` signed by the holder for authentication."""
    presentation = build_presentation(
        documents, holder.did, presentation_id=f"urn:uuid:{uuid.uuid4()}"
    )
    return sign_presentation(
        presentation,
        holder.key,
        holder.verification_method,
        challenge=challenge,
        domain=domain,
        created=iso(runtime.now()),
    )


class Shares:
    """Repository of a learner's shares and their access log."""

    def __init__(self, runtime: Runtime, credentials: Credentials) -> None:
        self.runtime = runtime
        self.credentials = credentials

    def _expiry(self, expires_at: str | None) -> str | None:
        if expires_at is None:
            return None
        try:
            moment = parse_iso(expires_at)
        except ValueError as exc:
            raise ServiceError(
                "expires_at must be an RFC 3339 date-time.", code="share.bad-expiry", status=400
            ) from exc
        now = self.runtime.now()
        if moment <= now:
            raise ServiceError(
                "expires_at must be in the future.", code="share.bad-expiry", status=400
            )
        if moment - now > MAX_SHARE_LIFETIME:
            raise ServiceError("A share lasts at most a year.", code="share.bad-expiry", status=400)
        return iso(moment)

    async def create(
        self,
        learner: Learner,
        holder: HolderKey,
        credential_ids: list[str],
        *,
        expires_at: str | None,
        title: str | None,
        disclose: dict[str, list[str]] | None,
    ) -> dict[str, Any]:
        """Sign a presentation of the chosen credentials and publish it under a new token."""
        if not credential_ids or len(set(credential_ids)) != len(credential_ids):
            raise ServiceError(
                "Choose one or more different credentials to share.",
                code="share.no-credentials",
                status=400,
            )
        expiry = self._expiry(expires_at)
        documents = await presented_documents(self.credentials, learner, credential_ids, disclose)
        presentation = signed_presentation(self.runtime, holder, documents)
        token = secrets.token_urlsafe(32)
        share_id = new_id()
        first = display_fields(documents[0])
        name = title or (first["name"] if len(documents) == 1 else f"{len(documents)} credentials")
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO wallet_shares (id, learner_id, token_hash, credential_ids, "
                "presentation, title, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    share_id,
                    learner.id,
                    sha256_hex(token),
                    dumps(credential_ids),
                    dumps(presentation),
                    name,
                    iso(self.runtime.now()),
                    expiry,
                ),
            )
        url = share_url(self.runtime, token)
        return {
            "id": share_id,
            "token": token,
            "url": url,
            "qr_svg": qr_svg(url),
            "expires_at": expiry,
            "title": name,
            "linkedin_url": linkedin_url(first, url),
            "print_url": f"{url}/print",
            "presentation": presentation,
        }

    def _summary(self, row: Any) -> dict[str, Any]:
        now = self.runtime.now()
        expired = row["expires_at"] is not None and parse_iso(row["expires_at"]) <= now
        return {
            "id": row["id"],
            "title": row["title"],
            "credential_ids": json.loads(row["credential_ids"]),
            "created_at": row["created_at"],
            "expires_at": row["expires_at"],
            "revoked_at": row["revoked_at"],
            "active": row["revoked_at"] is None and not expired,
            "views": row["views"],
        }

    async def list(self, learner: Learner) -> list[dict[str, Any]]:
        """The learner's shares, newest first."""
        rows = await self.runtime.db.fetchall(
            "SELECT s.*, (SELECT COUNT(*) FROM wallet_share_log l WHERE l.share_id = s.id) "
            "AS views FROM wallet_shares s WHERE s.learner_id = ? ORDER BY s.created_at DESC, s.id",
            (learner.id,),
        )
        return [self._summary(r) for r in rows]

    async def _own(self, learner: Learner, share_id: str) -> Any:
        row = await self.runtime.db.fetchone(
            "SELECT s.*, (SELECT COUNT(*) FROM wallet_share_log l WHERE l.share_id = s.id) "
            "AS views FROM wallet_shares s WHERE s.id = ? AND s.learner_id = ?",
            (share_id, learner.id),
        )
        if row is None:
            raise not_found("share")
        return row

    async def presentation(self, learner: Learner, share_id: str) -> dict[str, Any]:
        """The signed presentation of one of the learner's shares (for download)."""
        row = await self._own(learner, share_id)
        presentation: dict[str, Any] = json.loads(row["presentation"])
        return presentation

    async def revoke(self, learner: Learner, share_id: str) -> dict[str, Any]:
        """Revoke a share now (idempotent)."""
        await self._own(learner, share_id)
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "UPDATE wallet_shares SET revoked_at = COALESCE(revoked_at, ?) "
                "WHERE id = ? AND learner_id = ?",
                (iso(self.runtime.now()), share_id, learner.id),
            )
        return self._summary(await self._own(learner, share_id))

    async def log(self, learner: Learner, share_id: str) -> list[dict[str, str]]:
        """When the share was opened, and by what user agent."""
        await self._own(learner, share_id)
        rows = await self.runtime.db.fetchall(
            "SELECT at, user_agent FROM wallet_share_log WHERE share_id = ? ORDER BY id",
            (share_id,),
        )
        return [{"at": r["at"], "user_agent": r["user_agent"]} for r in rows]

    async def open(self, token: str, user_agent: str) -> dict[str, Any] | None:
        """The presentation behind a live token (the opening is logged), else None."""
        if not token or len(token) > 200:
            return None
        row = await self.runtime.db.fetchone(
            "SELECT id, presentation, expires_at, revoked_at FROM wallet_shares "
            "WHERE token_hash = ?",
            (sha256_hex(token),),
        )
        now = self.runtime.now()
        if (
            row is None
            or row["revoked_at"] is not None
            or (row["expires_at"] is not None and parse_iso(row["expires_at"]) <= now)
        ):
            return None
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO wallet_share_log (share_id, at, user_agent) VALUES (?, ?, ?)",
                (row["id"], iso(now), user_agent[:MAX_USER_AGENT]),
            )
        presentation: dict[str, Any] = json.loads(row["presentation"])
        return presentation
