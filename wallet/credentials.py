"""The learner's credentials: the foyer (verified, not yet accepted) and the store.

Original bytes are kept unchanged beside the last report. Duplicates (same
issuer and id, or same bytes) are caught by UNIQUE constraints, so two
concurrent imports of one credential cannot both be stored.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.display import credential_document, display_fields, search_text
from shared.errors import ServiceError
from shared.service.runtime import Runtime
from shared.shapes import id_of
from shared.verification.report import VerificationReport
from wallet.accounts import Learner
from wallet.checking import check_credential, state_of
from wallet.common import dumps, iso, new_id, not_found, sha256_hex

FOYER_LIFETIME = timedelta(days=1)
FOYER_MAX = 50
SORTS = {
    "added": "created_at DESC, id",
    "name": "name COLLATE NOCASE, id",
    "issued": "issued DESC, id",
    "state": "state, name COLLATE NOCASE, id",
}


@dataclass(frozen=True)
class Arrival:
    """A credential as it arrived: its original bytes and what they parse to."""

    raw: bytes
    document: dict[str, Any] | str
    source: str

    @property
    def bytes_hash(self) -> str:
        """SHA-256 of the original bytes."""
        return sha256_hex(self.raw)

    @property
    def identity(self) -> str | None:
        """``issuer id`` + ``credential id`` when the credential has both."""
        doc = credential_document(self.document)
        issuer, ident = id_of(doc.get("issuer")), id_of(doc.get("id"))
        return f"{issuer} {ident}" if issuer and ident else None


def _stored_document(text: str) -> dict[str, Any] | str:
    return text[1:] if text.startswith("!") else json.loads(text)  # type: ignore[no-any-return]


def _document_text(document: dict[str, Any] | str) -> str:
    # A JWT is stored as "!<token>", JSON as itself.
    return "!" + document if isinstance(document, str) else dumps(document)


class Credentials:
    """Repository of a learner's foyer and stored credentials."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    # -- foyer ---------------------------------------------------------------------------

    async def duplicate_of(self, learner: Learner, arrival: Arrival) -> str | None:
        """The id of a stored credential this arrival duplicates, if any."""
        row = await self.runtime.db.fetchone(
            "SELECT id FROM wallet_credentials WHERE learner_id = ? AND "
            "(bytes_hash = ? OR (identity IS NOT NULL AND identity = ?))",
            (learner.id, arrival.bytes_hash, arrival.identity),
        )
        return row["id"] if row else None

    async def hold(
        self, learner: Learner, checked: list[tuple[Arrival, VerificationReport]]
    ) -> list[dict[str, Any]]:
        """Put verified arrivals in the foyer (all or none); each answer says if it is a
        duplicate of a stored credential."""
        now = self.runtime.now()
        ids = [new_id() for _ in checked]
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM wallet_imports WHERE learner_id = ? AND created_at < ?",
                (learner.id, iso(now - FOYER_LIFETIME)),
            )
            cur = await conn.execute(
                "SELECT COUNT(*) FROM wallet_imports WHERE learner_id = ?", (learner.id,)
            )
            row = await cur.fetchone()
            if row is not None and row[0] + len(checked) > FOYER_MAX:
                raise ServiceError(
                    "Too many imports are waiting; accept or discard some first.",
                    code="import.foyer-full",
                    status=409,
                )
            for import_id, (arrival, report) in zip(ids, checked, strict=True):
                await conn.execute(
                    "INSERT INTO wallet_imports (id, learner_id, raw, document, report, state, "
                    "bytes_hash, identity, source, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        import_id,
                        learner.id,
                        arrival.raw,
                        _document_text(arrival.document),
                        dumps(report.to_dict()),
                        state_of(report),
                        arrival.bytes_hash,
                        arrival.identity,
                        arrival.source,
                        iso(now),
                    ),
                )
        items: list[dict[str, Any]] = []
        for import_id, (arrival, report) in zip(ids, checked, strict=True):
            report_dict = report.to_dict()
            item: dict[str, Any] = {
                "id": import_id,
                "report": report_dict,
                "summary": report_dict.get("summary", {}),
                "state": state_of(report),
                "display": display_fields(arrival.document),
            }
            duplicate = await self.duplicate_of(learner, arrival)
            if duplicate is not None:
                item["duplicate_of"] = duplicate
            items.append(item)
        return items

    async def discard(self, learner: Learner, import_id: str) -> None:
        """Drop a foyer entry."""
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM wallet_imports WHERE id = ? AND learner_id = ?",
                (import_id, learner.id),
            )
            if cur.rowcount == 0:
                raise not_found("import")

    async def accept(self, learner: Learner, import_id: str, *, keep_unverified: bool) -> str:
        """Move a foyer entry into the store; a not-verified one only if the learner says so."""
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT * FROM wallet_imports WHERE id = ? AND learner_id = ?",
                (import_id, learner.id),
            )
            row = await cur.fetchone()
            if row is None:
                raise not_found("import")
            if row["state"] == "not-verified" and not keep_unverified:
                raise ServiceError(
                    "This credential did not verify; it is kept only if you choose "
                    "keep_unverified (it will be shown as not verified).",
                    code="import.not-verified",
                    status=422,
                )
            credential_id = new_id()
            document = _stored_document(row["document"])
            try:
                await self._insert(
                    conn,
                    learner,
                    credential_id,
                    raw=bytes(row["raw"]),
                    document=document,
                    report_json=row["report"],
                    state=row["state"],
                    bytes_hash=row["bytes_hash"],
                    identity=row["identity"],
                    source=row["source"],
                    origin="imported",
                )
            except sqlite3.IntegrityError as exc:
                raise await self._duplicate_error(conn, learner, row) from exc
            await conn.execute("DELETE FROM wallet_imports WHERE id = ?", (import_id,))
        return credential_id

    async def _duplicate_error(self, conn: Any, learner: Learner, row: Any) -> ServiceError:
        cur = await conn.execute(
            "SELECT id FROM wallet_credentials WHERE learner_id = ? AND "
            "(bytes_hash = ? OR (identity IS NOT NULL AND identity = ?))",
            (learner.id, row["bytes_hash"], row["identity"]),
        )
        found = await cur.fetchone()
        return ServiceError(
            "You already hold this credential.",
            code="import.duplicate",
            status=409,
            duplicate_of=found["id"] if found else "",
        )

    async def _insert(
        self,
        conn: Any,
        learner: Learner,
        credential_id: str,
        *,
        raw: bytes,
        document: dict[str, Any] | str,
        report_json: str,
        state: str,
        bytes_hash: str,
        identity: str | None,
        source: str,
        origin: str,
    ) -> None:
        fields = display_fields(document)
        await conn.execute(
            "INSERT INTO wallet_credentials (id, learner_id, raw, document, report, state, "
            "last_checked, bytes_hash, identity, source, origin, search_text, types, skills, "
            "name, issued, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                credential_id,
                learner.id,
                raw,
                _document_text(document),
                report_json,
                state,
                json.loads(report_json).get("checked_at") or iso(self.runtime.now()),
                bytes_hash,
                identity,
                source,
                origin,
                search_text(fields),
                dumps(fields["types"]),
                dumps(fields["skills"]),
                fields["name"],
                fields.get("issued"),
                iso(self.runtime.now()),
            ),
        )

    async def insert_checked(
        self, conn: Any, learner: Learner, arrival: Arrival, report: VerificationReport, origin: str
    ) -> str:
        """Insert inside the caller's transaction (IntegrityError on a duplicate)."""
        credential_id = new_id()
        await self._insert(
            conn,
            learner,
            credential_id,
            raw=arrival.raw,
            document=arrival.document,
            report_json=dumps(report.to_dict()),
            state=state_of(report),
            bytes_hash=arrival.bytes_hash,
            identity=arrival.identity,
            source=arrival.source,
            origin=origin,
        )
        return credential_id

    async def store(
        self, learner: Learner, arrival: Arrival, report: VerificationReport, *, origin: str
    ) -> str:
        """Store directly (a bundle the wallet made, a restored backup); 409 on a duplicate."""
        async with self.runtime.db.transaction() as conn:
            try:
                return await self.insert_checked(conn, learner, arrival, report, origin)
            except sqlite3.IntegrityError as exc:
                row = {"bytes_hash": arrival.bytes_hash, "identity": arrival.identity}
                raise await self._duplicate_error(conn, learner, row) from exc

    # -- the store -----------------------------------------------------------------------

    async def list(
        self,
        learner: Learner,
        *,
        q: str | None = None,
        type_: str | None = None,
        skill: str | None = None,
        sort: str = "added",
    ) -> list[dict[str, Any]]:
        """The learner's credentials, filtered by text, type and skill, sorted."""
        if sort not in SORTS:
            raise ServiceError(
                f"sort is one of {', '.join(SORTS)}.", code="request.invalid", status=400
            )
        rows = await self.runtime.db.fetchall(
            "SELECT id, report, state, last_checked, types, skills, search_text, origin, name, "
            "issued, created_at FROM wallet_credentials WHERE learner_id = ? "
            f"ORDER BY {SORTS[sort]}",
            (learner.id,),
        )
        out: list[dict[str, Any]] = []
        for row in rows:
            types = json.loads(row["types"])
            skills = json.loads(row["skills"])
            if q and q.lower() not in row["search_text"]:
                continue
            if type_ and type_ not in types:
                continue
            if skill and not any(skill.lower() == s["skill"].lower() for s in skills):
                continue
            out.append(
                {
                    "id": row["id"],
                    "name": row["name"],
                    "summary": json.loads(row["report"]).get("summary", {}),
                    "state": row["state"],
                    "last_checked": row["last_checked"],
                    "types": types,
                    "origin": row["origin"],
                    "issued": row["issued"],
                    "added": row["created_at"],
                }
            )
        return out

    async def _row(self, learner: Learner, credential_id: str) -> Any:
        row = await self.runtime.db.fetchone(
            "SELECT * FROM wallet_credentials WHERE id = ? AND learner_id = ?",
            (credential_id, learner.id),
        )
        if row is None:
            raise not_found("credential")
        return row

    async def get(self, learner: Learner, credential_id: str) -> dict[str, Any]:
        """One credential with its document, last report, state and display fields."""
        row = await self._row(learner, credential_id)
        document = _stored_document(row["document"])
        return {
            "id": row["id"],
            "credential": document,
            "report": json.loads(row["report"]),
            "state": row["state"],
            "last_checked": row["last_checked"],
            "display": display_fields(document),
            "origin": row["origin"],
            "source": row["source"],
        }

    async def raw(self, learner: Learner, credential_id: str) -> bytes:
        """The original bytes, unchanged."""
        row = await self._row(learner, credential_id)
        return bytes(row["raw"])

    async def documents(
        self, learner: Learner, credential_ids: list[str]
    ) -> list[dict[str, Any] | str]:
        """The documents of ``credential_ids`` in that order (404 if any is not the learner's)."""
        out: list[dict[str, Any] | str] = []
        for credential_id in credential_ids:
            row = await self._row(learner, credential_id)
            out.append(_stored_document(row["document"]))
        return out

    async def states(self, learner: Learner, credential_ids: list[str]) -> list[str]:
        """The stored states of ``credential_ids`` (404 if any is not the learner's)."""
        return [(await self._row(learner, i))["state"] for i in credential_ids]

    async def delete(self, learner: Learner, credential_id: str) -> None:
        """Delete one credential."""
        async with self.runtime.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM wallet_credentials WHERE id = ? AND learner_id = ?",
                (credential_id, learner.id),
            )
            if cur.rowcount == 0:
                raise not_found("credential")

    async def reverify(self, learner: Learner, credential_id: str) -> dict[str, Any]:
        """Verify a stored credential again and record the report and state."""
        row = await self._row(learner, credential_id)
        document = _stored_document(row["document"])
        report = await check_credential(self.runtime, document)
        if row["state"] == "not-verified" and report.verified is False:
            state = "not-verified"
        else:
            state = state_of(report)
        report_dict = report.to_dict()
        checked = report_dict.get("checked_at") or iso(self.runtime.now())
        async with self.runtime.db.transaction() as conn:
            await conn.execute(
                "UPDATE wallet_credentials SET report = ?, state = ?, last_checked = ? "
                "WHERE id = ? AND learner_id = ?",
                (dumps(report_dict), state, checked, credential_id, learner.id),
            )
        return {"id": credential_id, "state": state, "last_checked": checked, "report": report_dict}

    async def all_for_backup(self, learner: Learner) -> list[dict[str, Any]]:
        """Every stored credential's original bytes and origin (for a backup)."""
        rows = await self.runtime.db.fetchall(
            "SELECT raw, source, origin FROM wallet_credentials WHERE learner_id = ? "
            "ORDER BY created_at, id",
            (learner.id,),
        )
        return [
            {"raw": bytes(r["raw"]), "source": r["source"], "origin": r["origin"]} for r in rows
        ]

    async def due(self, learner: Learner, checked_before: str) -> list[str]:
        """Ids of the learner's credentials last checked before ``checked_before``."""
        rows = await self.runtime.db.fetchall(
            "SELECT id FROM wallet_credentials WHERE learner_id = ? AND last_checked < ?",
            (learner.id, checked_before),
        )
        return [r["id"] for r in rows]

    async def skills(self, learner: Learner) -> list[dict[str, Any]]:
        """The learner's skills profile: each competency with the credentials showing it."""
        rows = await self.runtime.db.fetchall(
            "SELECT id, skills, state FROM wallet_credentials WHERE learner_id = ? "
            "ORDER BY created_at, id",
            (learner.id,),
        )
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            for skill in json.loads(row["skills"]):
                key = (skill["skill"], skill.get("framework", ""))
                group = groups.setdefault(
                    key,
                    {"skill": key[0], "framework": key[1], "credentials": [], "levels": {}},
                )
                if row["id"] not in group["credentials"]:
                    group["credentials"].append(row["id"])
                if skill.get("level"):
                    group["levels"][row["id"]] = skill["level"]
                for extra in ("targetUrl", "targetCode"):
                    if extra in skill:
                        group.setdefault(extra, skill[extra])
        return sorted(groups.values(), key=lambda g: (g["skill"].lower(), g["framework"]))
