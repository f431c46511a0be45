"""Backup and restore over HTTP."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import UploadFile
from litestar.params import JSONBody

from shared.errors import InputError
from wallet.backup import export_backup, restore_backup
from wallet.context import LearnerDep, WalletDep
from wallet.shapes import BackupRequest


@post("/backup", status_code=200)
async def backup(
    wallet: WalletDep, learner: LearnerDep, data: JSONBody[BackupRequest]
) -> Response[bytes]:
    """Everything, as one file encrypted under the passphrase (compact JWE)."""
    token = await export_backup(wallet, learner, data.passphrase)
    return Response(
        token.encode("ascii"),
        media_type="application/jose",
        headers={"Content-Disposition": 'attachment; filename="satchel-backup.jwe"'},
    )


@post("/restore", status_code=200)
async def restore(
    request: Request[Any, Any, Any], wallet: WalletDep, learner: LearnerDep
) -> dict[str, Any]:
    """Restore a backup file (multipart ``file`` + ``passphrase``); duplicates are reported."""
    form = await request.form()
    upload, passphrase = form.get("file"), form.get("passphrase")
    if not isinstance(upload, UploadFile) or not isinstance(passphrase, str):
        raise InputError("Send the backup file and its passphrase.", code="backup.missing")
    data = await upload.read()
    try:
        token = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InputError("That is not a Satchel backup file.", code="backup.invalid") from exc
    return await restore_backup(wallet, learner, token, passphrase)


ROUTES = [backup, restore]
