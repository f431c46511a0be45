"""Credentials over HTTP: import (foyer), accept, list, detail, raw, delete, re-verify, skills."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody

from shared.errors import InputError
from shared.sd import disclosable_pointers, sd_base_proof
from wallet.bundles import create_bundle
from wallet.common import not_found
from wallet.context import LearnerDep, WalletDep
from wallet.imports import run_import
from wallet.shapes import AcceptImport, BundleRequest, ImportRequest


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


@post("/imports", status_code=201)
async def create_import(
    request: Request[Any, Any, Any], wallet: WalletDep, learner: LearnerDep
) -> Any:
    """Import from a multipart ``file`` or JSON ``{text|url|payload, tx_code?, keep_unverified?}``.

    Each credential is verified and held in the foyer (201); one that does not
    verify is refused (422 with its report) unless ``keep_unverified``.
    """
    content_type, _ = request.content_type
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InputError("The form has no file.", code="import.one-source")
        data = await upload.read()
        return await run_import(
            wallet, learner, None, data, keep_unverified=_truthy(form.get("keep_unverified"))
        )
    try:
        body = msgspec.json.decode(await request.body(), type=ImportRequest)
    except msgspec.ValidationError as exc:
        raise InputError(f"Invalid import request: {exc}", code="request.invalid") from exc
    except msgspec.DecodeError as exc:
        raise InputError("The request body is not JSON.", code="request.invalid") from exc
    return await run_import(wallet, learner, body, None, keep_unverified=body.keep_unverified)


@post("/imports/{import_id:str}/accept", status_code=201)
async def accept_import(
    wallet: WalletDep,
    learner: LearnerDep,
    import_id: FromPath[str],
    data: JSONBody[AcceptImport | None] = None,
) -> dict[str, str]:
    """Store a foyer entry (409 if it duplicates a stored credential)."""
    keep = data.keep_unverified if data is not None else False
    credential_id = await wallet.credentials.accept(learner, import_id, keep_unverified=keep)
    return {"credential_id": credential_id}


@delete("/imports/{import_id:str}", status_code=200)
async def discard_import(
    wallet: WalletDep, learner: LearnerDep, import_id: FromPath[str]
) -> dict[str, bool]:
    """Discard a foyer entry."""
    await wallet.credentials.discard(learner, import_id)
    return {"discarded": True}


@get("/credentials")
async def list_credentials(
    wallet: WalletDep,
    learner: LearnerDep,
    q: FromQuery[str | None] = None,
    type: FromQuery[str | None] = None,
    skill: FromQuery[str | None] = None,
    sort: FromQuery[str] = "added",
) -> list[dict[str, Any]]:
    """The learner's credentials, searched by text, type and skill, and sorted."""
    return await wallet.credentials.list(learner, q=q, type_=type, skill=skill, sort=sort)


@get("/credentials/{credential_id:str}")
async def get_credential(
    wallet: WalletDep, learner: LearnerDep, credential_id: FromPath[str]
) -> dict[str, Any]:
    """One credential: document, last report, state, time of the last check, display fields."""
    return await wallet.credentials.get(learner, credential_id)


@get("/credentials/{credential_id:str}/raw")
async def raw_credential(
    wallet: WalletDep, learner: LearnerDep, credential_id: FromPath[str]
) -> Response[bytes]:
    """The original bytes, as they arrived."""
    raw = await wallet.credentials.raw(learner, credential_id)
    media = "application/jwt" if not raw.lstrip().startswith((b"{", b"[")) else "application/json"
    return Response(
        raw,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="credential-{credential_id}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@get("/credentials/{credential_id:str}/disclosable")
async def disclosable(
    wallet: WalletDep, learner: LearnerDep, credential_id: FromPath[str]
) -> dict[str, Any]:
    """For an ecdsa-sd-2023 credential: the fields the learner may choose to reveal."""
    (document,) = await wallet.credentials.documents(learner, [credential_id])
    if sd_base_proof(document) is None or not isinstance(document, dict):
        raise not_found("selectively disclosable credential")
    return {"pointers": disclosable_pointers(document)}


@delete("/credentials/{credential_id:str}", status_code=200)
async def delete_credential(
    wallet: WalletDep, learner: LearnerDep, credential_id: FromPath[str]
) -> dict[str, bool]:
    """Delete a credential."""
    await wallet.credentials.delete(learner, credential_id)
    return {"deleted": True}


@post("/credentials/{credential_id:str}/verify", status_code=200)
async def reverify_credential(
    wallet: WalletDep, learner: LearnerDep, credential_id: FromPath[str]
) -> dict[str, Any]:
    """Verify again now; returns the new state, report and check time."""
    return await wallet.credentials.reverify(learner, credential_id)


@get("/skills")
async def skills(wallet: WalletDep, learner: LearnerDep) -> list[dict[str, Any]]:
    """The skills profile: competencies (alignments, achievement types, levels) and credentials."""
    return await wallet.credentials.skills(learner)


ROUTES = [
    create_import,
    accept_import,
    discard_import,
    list_credentials,
    get_credential,
    raw_credential,
    disclosable,
    delete_credential,
    reverify_credential,
    skills,
]


@post("/bundles", status_code=201)
async def create_bundle_route(
    wallet: WalletDep, learner: LearnerDep, data: JSONBody[BundleRequest]
) -> dict[str, Any]:
    """Bundle chosen credentials (pathway order, associations) into a CLR signed by the learner."""
    return await create_bundle(wallet, learner, data)


ROUTES.append(create_bundle_route)
