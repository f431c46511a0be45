"""Passkeys over HTTP (``/api/wallet/passkeys/...``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody

from wallet.api_accounts import signed_in
from wallet.common import not_found
from wallet.context import LearnerDep, WalletDep


class PasskeyAnswer(msgspec.Struct, forbid_unknown_fields=True):
    """The challenge id and the browser's PublicKeyCredential as JSON."""

    challenge_id: str
    credential: dict[str, Any]


@post("/passkeys/register/options", status_code=200)
async def registration_options(wallet: WalletDep, learner: LearnerDep) -> dict[str, Any]:
    """Start adding a passkey (signed in)."""
    return await wallet.passkeys.registration_options(learner)


@post("/passkeys/register", status_code=201)
async def register_passkey(
    wallet: WalletDep, learner: LearnerDep, data: JSONBody[PasskeyAnswer]
) -> dict[str, str]:
    """Finish adding a passkey."""
    return await wallet.passkeys.register(learner, data.challenge_id, data.credential)


@post("/passkeys/login/options", status_code=200)
async def login_options(wallet: WalletDep) -> dict[str, Any]:
    """Start a passkey sign-in."""
    return await wallet.passkeys.authentication_options()


@post("/passkeys/login", status_code=200)
async def passkey_login(
    request: Request[Any, Any, Any], wallet: WalletDep, data: JSONBody[PasskeyAnswer]
) -> Response[Any]:
    """Finish a passkey sign-in: opens a session."""
    client = request.client.host if request.client else "unknown"
    wallet.limiter.check(None, client)
    try:
        learner_id = await wallet.passkeys.authenticate(data.challenge_id, data.credential)
    except Exception:
        wallet.limiter.failed(None, client)
        raise
    learner = await wallet.accounts.by_id(learner_id)
    if learner is None:
        raise not_found("account")
    return await signed_in(wallet, learner, 200)


@get("/passkeys")
async def list_passkeys(wallet: WalletDep, learner: LearnerDep) -> list[dict[str, str]]:
    """The learner's passkeys."""
    return await wallet.passkeys.list(learner)


@delete("/passkeys/{passkey_id:str}", status_code=200)
async def remove_passkey(
    wallet: WalletDep, learner: LearnerDep, passkey_id: FromPath[str]
) -> dict[str, bool]:
    """Remove a passkey."""
    await wallet.passkeys.remove(learner, passkey_id)
    return {"removed": True}


PUBLIC = [login_options, passkey_login]
PRIVATE = [registration_options, register_passkey, list_passkeys, remove_passkey]
