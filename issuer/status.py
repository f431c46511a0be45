"""Hosted status lists: index allocation, revoke/suspend bits, signed list credentials.

Credentials of one issuer DID and list format share a *group*: a revocation list and a
suspension list of 131,072 entries each, served at ``/status/{list_id}``. A credential
gets one random free index of its group and an entry in both lists. A list credential
is signed on first request after a change and kept until the next change.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import aiosqlite

from issuer.profiles import Profiles
from shared.errors import ServiceError
from shared.issue import LIST_SUITE, sign_credential, signing_option
from shared.service.runtime import Runtime
from shared.status.bitstring import (
    BITSTRING,
    MIN_ENTRIES,
    ListFormat,
    new_list,
    read_value,
    status_entry,
    status_list_credential,
    write_value,
)
from shared.status.statuslist2021 import STATUS_LIST_2021
from shared.verification.dates import iso

FORMATS: dict[str, ListFormat] = {"bitstring": BITSTRING, "statuslist2021": STATUS_LIST_2021}
PURPOSES = ("revocation", "suspension")
LIST_MEDIA_TYPE = "application/vc+ld+json"
_RANDOM_TRIES = 32


def list_format(name: str | None) -> ListFormat:
    """The list format called ``name`` (``bitstring`` by default)."""
    fmt = FORMATS.get(name or "bitstring")
    if fmt is None:
        raise ServiceError(
            f"Unknown status list format {name!r} (bitstring or statuslist2021).",
            code="issuer.bad-status-format",
            field="status_list",
        )
    return fmt


def format_name(fmt: ListFormat) -> str:
    """The stored name of ``fmt``."""
    return next(name for name, known in FORMATS.items() if known is fmt)


@dataclass(frozen=True)
class Allocation:
    """A credential's place in its status group: the entries to put in the credential."""

    group: str
    index: int
    entries: list[dict[str, Any]]


class StatusLists:
    """The issuer's hosted status lists."""

    def __init__(self, runtime: Runtime, profiles: Profiles) -> None:
        self.rt = runtime
        self.profiles = profiles

    def list_url(self, list_id: str) -> str:
        """Where the list ``list_id`` is served."""
        return f"{self.rt.settings.base_url}/status/{list_id}"

    async def allocate(
        self,
        conn: aiosqlite.Connection,
        *,
        profile: str,
        issuer_did: str,
        key_type: str,
        fmt: ListFormat,
        purposes: tuple[str, ...] = PURPOSES,
    ) -> Allocation:
        """Reserve a random free index (inside the caller's transaction).

        The entries returned point at that index of the group's list for each of ``purposes``.
        """
        name = format_name(fmt)
        cur = await conn.execute(
            "SELECT id, size, used FROM issuer_status_groups WHERE issuer_did = ? AND format = ?"
            " AND used < size ORDER BY created_at LIMIT 1",
            (issuer_did, name),
        )
        row = await cur.fetchone()
        if row is None:
            group, size = await self._new_group(conn, profile, issuer_did, key_type, name)
        else:
            group, size = row["id"], row["size"]
        index = await self._free_index(conn, group, size)
        await conn.execute("UPDATE issuer_status_groups SET used = used + 1 WHERE id = ?", (group,))
        cur = await conn.execute(
            "SELECT id, purpose FROM issuer_status_lists WHERE status_group = ?", (group,)
        )
        lists = {r["purpose"]: r["id"] for r in await cur.fetchall()}
        entries = [status_entry(self.list_url(lists[p]), index, p, fmt) for p in purposes]
        return Allocation(group=group, index=index, entries=entries)

    async def _new_group(
        self, conn: aiosqlite.Connection, profile: str, issuer_did: str, key_type: str, name: str
    ) -> tuple[str, int]:
        group = secrets.token_urlsafe(9)
        now = iso(self.rt.now())
        await conn.execute(
            "INSERT INTO issuer_status_groups (id, profile, issuer_did, key_type, format, size,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (group, profile, issuer_did, key_type, name, MIN_ENTRIES, now),
        )
        for purpose in PURPOSES:
            await conn.execute(
                "INSERT INTO issuer_status_lists (id, status_group, purpose, bits, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (secrets.token_urlsafe(12), group, purpose, bytes(new_list(MIN_ENTRIES)), now),
            )
        return group, MIN_ENTRIES

    async def _free_index(self, conn: aiosqlite.Connection, group: str, size: int) -> int:
        for _ in range(_RANDOM_TRIES):
            candidate = secrets.randbelow(size)
            cur = await conn.execute(
                "SELECT 1 FROM issuer_credentials WHERE status_group = ? AND status_index = ?",
                (group, candidate),
            )
            if await cur.fetchone() is None:
                return candidate
        cur = await conn.execute(
            "SELECT status_index FROM issuer_credentials WHERE status_group = ?", (group,)
        )
        taken = {r[0] for r in await cur.fetchall()}
        return next(i for i in range(size) if i not in taken)

    async def set_bit(
        self, conn: aiosqlite.Connection, group: str, purpose: str, index: int, value: int
    ) -> None:
        """Set one entry of the group's ``purpose`` list (and drop the stale signed copy)."""
        cur = await conn.execute(
            "SELECT id, bits FROM issuer_status_lists WHERE status_group = ? AND purpose = ?",
            (group, purpose),
        )
        row = await cur.fetchone()
        if row is None:
            raise ServiceError("The status list is missing.", code="issuer.no-list", status=500)
        bits = bytearray(row["bits"])
        if read_value(bytes(bits), index) == value:
            return
        write_value(bits, index, value)
        await conn.execute(
            "UPDATE issuer_status_lists SET bits = ?, signed = NULL WHERE id = ?",
            (bytes(bits), row["id"]),
        )

    async def signed_list(self, list_id: str) -> tuple[str, str]:
        """The signed list credential ``list_id`` as JSON text, and its media type."""
        row = await self.rt.db.fetchone(
            "SELECT l.id, l.purpose, l.bits, l.signed, l.created_at, g.profile, g.issuer_did,"
            " g.key_type, g.format FROM issuer_status_lists l JOIN issuer_status_groups g"
            " ON g.id = l.status_group WHERE l.id = ?",
            (list_id,),
        )
        if row is None:
            raise ServiceError("No such status list.", code="issuer.no-list", status=404)
        media = LIST_MEDIA_TYPE
        if row["signed"] is not None:
            return str(row["signed"]), media
        profile = await self.profiles.get(row["profile"])
        signer = await self.profiles.signer(profile, row["key_type"])
        document = status_list_credential(
            self.list_url(list_id),
            row["issuer_did"],
            row["purpose"],
            bytes(row["bits"]),
            row["created_at"],
            FORMATS[row["format"]],
        )
        signed = sign_credential(
            document,
            signing_option(LIST_SUITE[row["key_type"]]),
            signer.key,
            signer.verification_method,
        )
        text = json.dumps(signed, separators=(",", ":"))
        async with self.rt.db.transaction() as conn:
            # Only cache if the bits did not change meanwhile.
            await conn.execute(
                "UPDATE issuer_status_lists SET signed = ? WHERE id = ? AND bits = ?",
                (text, list_id, bytes(row["bits"])),
            )
        return text, media
