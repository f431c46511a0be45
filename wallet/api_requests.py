"""Verifier requests over HTTP: resolve, inspect, answer with consent, decline."""

from __future__ import annotations

from typing import Any

from litestar import delete, get, post
from litestar.params import FromPath, JSONBody

from wallet.context import LearnerDep, WalletDep
from wallet.requests import Requests
from wallet.shapes import RespondRequest, VerifierRequestIn


@post("/requests", status_code=201)
async def resolve_request(
    wallet: WalletDep, learner: LearnerDep, data: JSONBody[VerifierRequestIn]
) -> dict[str, Any]:
    """Read a scanned OpenID4VP request or VC-API interaction URL: who asks, what, why."""
    return await Requests(wallet).resolve(learner, data.payload)


@get("/requests/{request_id:str}")
async def get_request(
    wallet: WalletDep, learner: LearnerDep, request_id: FromPath[str]
) -> dict[str, Any]:
    """A pending request, with the learner's matching credentials."""
    return await Requests(wallet).get(learner, request_id)


@post("/requests/{request_id:str}/respond", status_code=200)
async def respond_request(
    wallet: WalletDep,
    learner: LearnerDep,
    request_id: FromPath[str],
    data: JSONBody[RespondRequest],
) -> dict[str, Any]:
    """Send the chosen credentials (only with ``consent: true``)."""
    return await Requests(wallet).respond(
        learner, request_id, data.credential_ids, consent=data.consent, disclose=data.disclose
    )


@delete("/requests/{request_id:str}", status_code=200)
async def decline_request(
    wallet: WalletDep, learner: LearnerDep, request_id: FromPath[str]
) -> dict[str, bool]:
    """Decline: nothing is sent."""
    await Requests(wallet).decline(learner, request_id)
    return {"declined": True}


ROUTES = [resolve_request, get_request, respond_request, decline_request]
