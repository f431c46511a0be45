"""Verification requests in SQLite: created, claimed once, finished, purged.

A request has two unguessable handles: ``id`` for the employer's page (status, events)
and ``tx`` for the wallet (request object, response URI, exchange, interaction URL),
so a wallet never learns the handle that reads the result. Its ``nonce`` is the
challenge every presentation must answer; it can be used once (the first response
claims the request: ``pending`` -> ``received``) and only before ``expires_at``.
What is kept of an answered request is its report when verified, or a failure record
(check ids, codes and messages only) when not; never the presentation itself.
Rows are purged ``retention`` after they expire.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from shared.errors import ServiceError
from shared.service.storage import Database
from shared.wanted import Wanted

State = Literal["pending", "received", "verified", "failed", "expired"]
TERMINAL: frozenset[str] = frozenset({"verified", "failed", "expired"})

MIGRATIONS = [
    """
    CREATE TABLE verifier_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        did TEXT NOT NULL,
        key_blob BLOB NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE verifier_requests (
        id TEXT PRIMARY KEY,
        tx TEXT NOT NULL UNIQUE,
        nonce TEXT NOT NULL UNIQUE,
        state_token TEXT NOT NULL,
        status TEXT NOT NULL,
        wanted TEXT NOT NULL,
        webhook_url TEXT,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        purge_after REAL NOT NULL,
        answered_at REAL,
        protocol TEXT,
        result TEXT,
        receipt TEXT,
        webhook_status TEXT
    );
    CREATE INDEX verifier_requests_purge ON verifier_requests (purge_after)
    """
]


def _token() -> str:
    return secrets.token_urlsafe(24)


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True)
class RequestRecord:
    """One verification request as stored."""

    id: str
    tx: str
    nonce: str
    state_token: str
    status: str
    wanted: Wanted
    webhook_url: str | None
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    protocol: str | None
    result: dict[str, Any] | None
    receipt: dict[str, Any] | None
    webhook_status: str | None

    def is_expired(self, now: datetime) -> bool:
        """True once the request can no longer be answered."""
        return now >= self.expires_at


def _record(row: Any) -> RequestRecord:
    return RequestRecord(
        id=row["id"],
        tx=row["tx"],
        nonce=row["nonce"],
        state_token=row["state_token"],
        status=row["status"],
        wanted=Wanted(**json.loads(row["wanted"])),
        webhook_url=row["webhook_url"],
        created_at=_dt(row["created_at"]),
        expires_at=_dt(row["expires_at"]),
        answered_at=_dt(row["answered_at"]) if row["answered_at"] is not None else None,
        protocol=row["protocol"],
        result=json.loads(row["result"]) if row["result"] else None,
        receipt=json.loads(row["receipt"]) if row["receipt"] else None,
        webhook_status=row["webhook_status"],
    )


class RequestStore:
    """Repository of verification requests."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        wanted: Wanted,
        *,
        webhook_url: str | None,
        now: datetime,
        ttl: timedelta,
        retention: timedelta,
    ) -> RequestRecord:
        """A new pending request with fresh handles and a fresh nonce."""
        expires = now + ttl
        values = (
            _token(),
            _token(),
            _token(),
            _token(),
            "pending",
            json.dumps(
                {
                    "types": wanted.types,
                    "trusted_issuers": wanted.trusted_issuers,
                    "purpose": wanted.purpose,
                }
            ),
            webhook_url,
            _ts(now),
            _ts(expires),
            _ts(expires + retention),
        )
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO verifier_requests (id, tx, nonce, state_token, status, wanted, "
                "webhook_url, created_at, expires_at, purge_after) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        record = await self.by_id(values[0])
        assert record is not None
        return record

    async def _one(self, column: str, value: str) -> RequestRecord | None:
        row = await self.db.fetchone(
            f"SELECT * FROM verifier_requests WHERE {column} = ?",
            (value,),
        )
        return _record(row) if row is not None else None

    async def by_id(self, request_id: str) -> RequestRecord | None:
        """The request with employer handle ``request_id``."""
        return await self._one("id", request_id)

    async def by_tx(self, tx: str) -> RequestRecord | None:
        """The request with wallet handle ``tx``."""
        return await self._one("tx", tx)

    async def by_nonce(self, nonce: str) -> RequestRecord | None:
        """The request whose nonce is ``nonce``."""
        return await self._one("nonce", nonce)

    async def expire_if_due(self, record: RequestRecord, now: datetime) -> RequestRecord:
        """Mark a pending request past its expiry as expired (returns the fresh record)."""
        if record.status != "pending" or not record.is_expired(now):
            return record
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE verifier_requests SET status = 'expired' "
                "WHERE id = ? AND status = 'pending'",
                (record.id,),
            )
        fresh = await self.by_id(record.id)
        return fresh or record

    async def claim(self, tx: str, *, protocol: str, now: datetime) -> RequestRecord:
        """Take a request for answering: once, before it expires.

        Raises ``request.not-found`` (404), ``request.expired`` (410) or
        ``request.nonce-reused`` (409: it was already answered).
        """
        record = await self.by_tx(tx)
        if record is None:
            raise ServiceError(
                "No such verification request.", code="request.not-found", status=404
            )
        record = await self.expire_if_due(record, now)
        if record.status == "expired":
            raise ServiceError(
                "This verification request has expired; ask the verifier for a new one.",
                code="request.expired",
                status=410,
            )
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE verifier_requests SET status = 'received', answered_at = ?, protocol = ? "
                "WHERE id = ? AND status = 'pending' AND expires_at > ?",
                (_ts(now), protocol, record.id, _ts(now)),
            )
            claimed = cur.rowcount == 1
        if not claimed:
            raise ServiceError(
                "This verification request was already answered: its nonce cannot be used again.",
                code="request.nonce-reused",
                status=409,
            )
        fresh = await self.by_id(record.id)
        assert fresh is not None
        return fresh

    async def finish(
        self,
        request_id: str,
        *,
        status: State,
        result: dict[str, Any],
        receipt: dict[str, Any] | None,
    ) -> RequestRecord:
        """Record the outcome of a claimed request."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE verifier_requests SET status = ?, result = ?, receipt = ? "
                "WHERE id = ? AND status = 'received'",
                (status, json.dumps(result), json.dumps(receipt) if receipt else None, request_id),
            )
        fresh = await self.by_id(request_id)
        assert fresh is not None
        return fresh

    async def set_webhook_status(self, request_id: str, status: str) -> None:
        """Record how the webhook call went (``sent`` or ``failed: <code>``)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE verifier_requests SET webhook_status = ? WHERE id = ?",
                (status[:200], request_id),
            )

    async def purge(self, now: datetime) -> int:
        """Delete requests whose retention has passed; return how many."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM verifier_requests WHERE purge_after <= ?", (_ts(now),)
            )
            return int(cur.rowcount)
