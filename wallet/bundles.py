"""CLR bundles: the learner's chosen credentials, in pathway order, signed by their DID."""

from __future__ import annotations

from typing import Any

from shared.clr import Association, anchor_of, build_clr, sign_clr
from shared.errors import InputError, ServiceError
from wallet.accounts import Learner
from wallet.checking import check_credential, state_of
from wallet.common import dumps, iso
from wallet.context import Wallet
from wallet.credentials import Arrival
from wallet.shapes import BundleRequest


async def create_bundle(wallet: Wallet, learner: Learner, request: BundleRequest) -> dict[str, Any]:
    """Build, sign and verify a learner-assembled CLR; store it as a credential."""
    ids = request.credential_ids
    if not ids or len(set(ids)) != len(ids):
        raise ServiceError(
            "Choose one or more different credentials to bundle.", code="clr.empty", status=400
        )
    documents = await wallet.credentials.documents(learner, ids)
    states = await wallet.credentials.states(learner, ids)
    if "not-verified" in states:
        raise ServiceError(
            "A credential that did not verify cannot go into a bundle.",
            code="clr.not-verified",
            status=422,
        )
    anchors: dict[str, str] = {}
    for credential_id, document in zip(ids, documents, strict=True):
        anchor = anchor_of(document) if isinstance(document, dict) else None
        if anchor:
            anchors[credential_id] = anchor
    links: list[Association] = []
    for link in request.associations:
        if link.source not in anchors or link.target not in anchors:
            raise ServiceError(
                "An association must link two of the credentials being bundled.",
                code="clr.bad-association",
                status=400,
            )
        links.append(Association(link.type, anchors[link.source], anchors[link.target]))
    holder = await wallet.accounts.holder_key(learner)
    now = iso(wallet.runtime.now())
    try:
        clr = build_clr(
            documents,
            learner_did=holder.did,
            learner_name=learner.username,
            name=request.name or "My learning record",
            description=request.description,
            associations=links,
            valid_from=now,
        )
    except InputError as exc:
        raise ServiceError(exc.message, code=exc.code, status=422) from exc
    signed = sign_clr(clr, holder.key, holder.verification_method, created=now)
    report = await check_credential(wallet.runtime, signed)
    if state_of(report) == "not-verified":
        raise ServiceError(
            "The bundle did not verify, so it was not kept.",
            code="clr.not-verified",
            status=422,
        )
    arrival = Arrival(dumps(signed).encode("utf-8"), signed, "bundle")
    credential_id = await wallet.credentials.store(learner, arrival, report, origin="bundle")
    return {"credential_id": credential_id, "report": report.to_dict(), "credential": signed}
