"""Backup and restore: everything a learner holds, in one file encrypted under a passphrase.

The file is a compact JWE (PBES2-HS512+A256KW, A256GCM) of a JSON document with
the learner's DIDs (private keys included: the file is encrypted) and every
credential's original bytes. Restoring verifies each credential again and adds
everything in one transaction, reporting duplicates instead of making them.
"""

from __future__ import annotations

import base64
import sqlite3
from typing import Any

import msgspec

from shared.errors import JoseError, SatchelError, ServiceError
from shared.jose.jwe import decrypt_with_passphrase, encrypt_with_passphrase
from shared.keys import private_key_from_multikey
from wallet.accounts import Learner, export_keys
from wallet.checking import check_credential
from wallet.common import dumps, iso
from wallet.context import Wallet
from wallet.credentials import Arrival
from wallet.importer import parse_bytes

FORMAT = "satchel-wallet-backup"
MIN_PASSPHRASE = 12
CONTENT_TYPE = "application/vnd.satchel.backup+json"


class BackupDid(msgspec.Struct):
    did: str
    secret: str
    label: str | None = None
    primary: bool = False


class BackupCredential(msgspec.Struct):
    raw: str
    source: str = "restore"
    origin: str = "imported"


class BackupFile(msgspec.Struct):
    format: str
    version: int
    dids: list[BackupDid] = []
    credentials: list[BackupCredential] = []
    username: str | None = None
    exported_at: str | None = None


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ServiceError(
            f"A backup passphrase is at least {MIN_PASSPHRASE} characters.",
            code="backup.weak-passphrase",
            status=422,
        )


async def export_backup(wallet: Wallet, learner: Learner, passphrase: str) -> str:
    """The learner's encrypted backup (compact JWE)."""
    _check_passphrase(passphrase)
    credentials = await wallet.credentials.all_for_backup(learner)
    document = {
        "format": FORMAT,
        "version": 1,
        "exported_at": iso(wallet.runtime.now()),
        "username": learner.username,
        "dids": await export_keys(wallet.accounts, learner),
        "credentials": [
            {
                "raw": base64.b64encode(c["raw"]).decode("ascii"),
                "source": c["source"],
                "origin": c["origin"],
            }
            for c in credentials
        ],
    }
    return encrypt_with_passphrase(
        dumps(document).encode("utf-8"), passphrase, content_type=CONTENT_TYPE
    )


def _open(token: str, passphrase: str) -> BackupFile:
    try:
        plaintext, _ = decrypt_with_passphrase(token, passphrase)
    except JoseError as exc:
        raise ServiceError(exc.message, code=exc.code, status=400) from exc
    try:
        backup = msgspec.json.decode(plaintext, type=BackupFile)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ServiceError(
            "The backup's content is not a Satchel backup.", code="backup.invalid", status=400
        ) from exc
    if backup.format != FORMAT or backup.version != 1:
        raise ServiceError(
            "Not a Satchel backup (or a newer version).", code="backup.invalid", status=400
        )
    return backup


async def restore_backup(
    wallet: Wallet, learner: Learner, token: str, passphrase: str
) -> dict[str, Any]:
    """Add a backup's DIDs and credentials to ``learner`` (all or nothing)."""
    backup = _open(token, passphrase)
    try:
        keys = [(private_key_from_multikey(d.secret), d.label or "restored") for d in backup.dids]
        arrivals = []
        for item in backup.credentials:
            raw = base64.b64decode(item.raw, validate=True)
            (arrival,) = parse_bytes(raw, source=item.source).arrivals
            arrivals.append((Arrival(raw, arrival.document, item.source), item.origin))
    except (SatchelError, ValueError) as exc:
        raise ServiceError(
            "The backup holds an unreadable key or credential.", code="backup.invalid", status=400
        ) from exc
    checked = [
        (a, origin, await check_credential(wallet.runtime, a.document)) for a, origin in arrivals
    ]
    imported: list[str] = []
    duplicates = 0
    dids = 0
    async with wallet.runtime.db.transaction() as conn:
        for key, label in keys:
            dids += await wallet.accounts.restore_did(conn, learner, key, label)
        for arrival, origin, report in checked:
            try:
                imported.append(
                    await wallet.credentials.insert_checked(conn, learner, arrival, report, origin)
                )
            except sqlite3.IntegrityError:
                duplicates += 1
    return {"imported": len(imported), "duplicates": duplicates, "dids": dids, "ids": imported}
