"""Answering a verifier: resolve the request, show who asks for what and why, send on consent.

A VC-API interaction URL (or exchange URL) is resolved to a Verifiable
Presentation Request; an OpenID4VP request goes through ``wallet.oid4vp``. The
request is kept for a short while; nothing is sent until the learner answers
with ``consent: true`` and credentials that match what was asked.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import timedelta
from typing import Any

from shared.errors import InputError, ServiceError
from shared.service.runtime import Runtime
from shared.vcapi_exchange import is_interaction_url
from shared.vcapi_holder import matches_wanted, read_presentation_request
from shared.wanted import Wanted
from wallet.accounts import Learner
from wallet.common import dumps, iso, new_id, not_found, parse_iso
from wallet.context import Wallet
from wallet.exchange import post_json
from wallet.importer import fetch_url, interaction_protocols
from wallet.oid4vp import matches, resolve_request, send_response
from wallet.shares import presented_documents, signed_presentation

REQUEST_LIFETIME = timedelta(minutes=15)
OID4VP_SCHEMES = ("openid4vp://", "openid4vp:", "haip://", "eudi-openid4vp://")


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _describe(wanted: Wanted) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"types": list(wanted.types) or ["VerifiableCredential"]}
    if wanted.purpose:
        entry["reason"] = wanted.purpose
    if wanted.trusted_issuers:
        entry["trusted_issuers"] = list(wanted.trusted_issuers)
    return [entry]


async def _vcapi_exchange_url(runtime: Runtime, url: str) -> str:
    """The exchange URL behind an interaction URL (or the URL itself)."""
    if not is_interaction_url(url):
        return url
    body, _ = await fetch_url(runtime, url)
    protocols = interaction_protocols(body) or {}
    if "vcapi" not in protocols:
        raise ServiceError(
            "The interaction URL offers no VC-API exchange.",
            code="request.unsupported-protocol",
            status=422,
        )
    return protocols["vcapi"]


class Requests:
    """A learner's pending verifier requests."""

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet
        self.runtime = wallet.runtime

    async def _matches(self, learner: Learner, record: dict[str, Any]) -> list[str]:
        if record["kind"] == "vcapi" and not record.get("asks_credentials"):
            return []
        wanted = Wanted(
            types=record.get("types", []), trusted_issuers=record.get("trusted_issuers", [])
        )
        rows = await self.runtime.db.fetchall(
            "SELECT id, document, state FROM wallet_credentials WHERE learner_id = ? "
            "ORDER BY created_at, id",
            (learner.id,),
        )
        matched: list[str] = []
        for row in rows:
            if row["state"] == "not-verified":
                continue
            text = row["document"]
            document = text[1:] if text.startswith("!") else json.loads(text)
            if record["kind"] == "oid4vp":
                if matches(record, document):
                    matched.append(row["id"])
            elif matches_wanted(document, wanted):
                matched.append(row["id"])
        return matched

    async def resolve(self, learner: Learner, payload: str) -> dict[str, Any]:
        """Read a scanned request; store it; say who asks, why, what, and what matches."""
        text = payload.strip()
        if text.lower().startswith(OID4VP_SCHEMES) or "request_uri=" in text:
            return await self._resolve_oid4vp(learner, text)
        if not text.startswith(("https://", "http://")):
            raise InputError(
                "Expected an OpenID4VP request or a VC-API interaction URL.",
                code="request.unrecognised",
            )
        exchange_url = await _vcapi_exchange_url(self.runtime, text)
        vpr = read_presentation_request(await post_json(self.runtime, exchange_url, {}))
        if vpr is None:
            raise ServiceError(
                "The exchange did not ask for a presentation.",
                code="request.no-request",
                status=422,
            )
        wanted = vpr.wanted()
        record = {
            "kind": "vcapi",
            "exchange_url": exchange_url,
            "challenge": vpr.challenge,
            "domain": vpr.domain,
            "did_auth": vpr.did_authentication,
            "asks_credentials": any(q.get("type") == "QueryByExample" for q in vpr.query),
            "types": list(wanted.types),
            "trusted_issuers": list(wanted.trusted_issuers),
            "verifier": vpr.domain or _host(exchange_url),
            "purpose": wanted.purpose,
        }
        return await self._store(learner, record)

    async def _resolve_oid4vp(self, learner: Learner, text: str) -> dict[str, Any]:
        record: dict[str, Any] = await resolve_request(self.runtime, text)
        return await self._store(learner, record)

    async def _store(self, learner: Learner, record: dict[str, Any]) -> dict[str, Any]:
        request_id = new_id()
        now = self.runtime.now()
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM wallet_requests WHERE learner_id = ? AND expires_at < ?",
                (learner.id, iso(now)),
            )
            await conn.execute(
                "INSERT INTO wallet_requests (id, learner_id, kind, request, state, created_at, "
                "expires_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                (
                    request_id,
                    learner.id,
                    record["kind"],
                    dumps(record),
                    iso(now),
                    iso(now + REQUEST_LIFETIME),
                ),
            )
        return await self._view(learner, request_id, record, "pending")

    async def _view(
        self, learner: Learner, request_id: str, record: dict[str, Any], state: str
    ) -> dict[str, Any]:
        wanted = record.get("wanted") or (
            _describe(
                Wanted(
                    types=record.get("types", []),
                    trusted_issuers=record.get("trusted_issuers", []),
                    purpose=record.get("purpose"),
                )
            )
            if record.get("asks_credentials")
            else []
        )
        if record.get("did_auth"):
            wanted.append({"types": ["DIDAuthentication"], "reason": "Prove you control your DID"})
        return {
            "id": request_id,
            "kind": record["kind"],
            "verifier": record.get("verifier"),
            "purpose": record.get("purpose"),
            "wanted": wanted,
            "matches": await self._matches(learner, record),
            "state": state,
        }

    async def _row(self, learner: Learner, request_id: str) -> tuple[dict[str, Any], str]:
        row = await self.runtime.db.fetchone(
            "SELECT request, state, expires_at FROM wallet_requests "
            "WHERE id = ? AND learner_id = ?",
            (request_id, learner.id),
        )
        if row is None or parse_iso(row["expires_at"]) <= self.runtime.now():
            raise not_found("request")
        record: dict[str, Any] = json.loads(row["request"])
        return record, str(row["state"])

    async def get(self, learner: Learner, request_id: str) -> dict[str, Any]:
        """A pending request as the learner sees it."""
        record, state = await self._row(learner, request_id)
        return await self._view(learner, request_id, record, state)

    async def decline(self, learner: Learner, request_id: str) -> None:
        """Forget a request without answering."""
        await self._row(learner, request_id)
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "UPDATE wallet_requests SET state = 'declined' WHERE id = ? AND learner_id = ?",
                (request_id, learner.id),
            )

    async def respond(
        self,
        learner: Learner,
        request_id: str,
        credential_ids: list[str],
        *,
        consent: bool,
        disclose: dict[str, list[str]] | None,
    ) -> dict[str, Any]:
        """Send the chosen credentials in a holder-signed presentation (consent required)."""
        record, state = await self._row(learner, request_id)
        if not consent:
            raise ServiceError(
                "Nothing was sent: the answer needs your consent.",
                code="request.no-consent",
                status=400,
            )
        if state != "pending":
            raise ServiceError(
                f"This request was already {state}.", code="request.not-pending", status=409
            )
        allowed = set(await self._matches(learner, record))
        chosen = list(dict.fromkeys(credential_ids))
        if any(c not in allowed for c in chosen):
            await self.wallet.credentials.documents(learner, chosen)  # 404 for others' ids
            raise ServiceError(
                "Only credentials that match what the verifier asked for can be sent.",
                code="request.not-matching",
                status=422,
            )
        if (record.get("asks_credentials") or record["kind"] == "oid4vp") and not chosen:
            raise ServiceError(
                "Choose at least one credential to send.", code="request.nothing-chosen", status=400
            )
        documents = await presented_documents(self.wallet.credentials, learner, chosen, disclose)
        holder = await self.wallet.accounts.holder_key(learner)
        if record["kind"] == "vcapi":
            vp = signed_presentation(
                self.runtime,
                holder,
                documents,
                challenge=record.get("challenge"),
                domain=record.get("domain"),
            )
            result = await post_json(
                self.runtime, record["exchange_url"], {"verifiablePresentation": vp}
            )
        else:
            result = await send_response(self.runtime, holder, record, documents)
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "UPDATE wallet_requests SET state = 'answered' WHERE id = ? AND learner_id = ?",
                (request_id, learner.id),
            )
        return {"result": result, "state": "answered", "sent": chosen}
