"""Accounts over HTTP: register, sign in and out, who am I, holder DIDs."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody
from litestar.utils.scope.state import ScopeState

from shared.errors import ServiceError
from wallet.context import SESSION_COOKIE, LearnerDep, WalletDep
from wallet.shapes import NewDid, PasswordLogin


def session_cookie(wallet: WalletDep, token: str, *, max_age: int | None = None) -> Cookie:
    """The session cookie: HttpOnly, SameSite=Lax, Secure under https."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=wallet.secure_cookies,
        max_age=max_age,
    )


async def me_of(wallet: WalletDep, learner: LearnerDep) -> dict[str, Any]:
    """``{username, did, dids}``."""
    dids = await wallet.accounts.dids(learner)
    primary = next((d["did"] for d in dids if d["primary"]), None)
    return {"username": learner.username, "did": primary, "dids": dids}


async def signed_in(wallet: WalletDep, learner: LearnerDep, status: int) -> Response[Any]:
    """A response opening a session for ``learner``."""
    token = await wallet.accounts.open_session(learner)
    return Response(
        await me_of(wallet, learner),
        status_code=status,
        cookies=[session_cookie(wallet, token)],
    )


@get("/csrf")
async def csrf_token(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The CSRF token (also set as the ``csrftoken`` cookie) to echo in ``x-csrftoken``."""
    token = ScopeState.from_scope(request.scope).csrf_token
    return {"token": token if isinstance(token, str) else ""}


@post("/register", status_code=201)
async def register(wallet: WalletDep, data: JSONBody[PasswordLogin]) -> Response[Any]:
    """Create an account (password, argon2id) with a holder DID, and sign in."""
    learner = await wallet.accounts.register(data.username, data.password)
    return await signed_in(wallet, learner, 201)


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


@post("/login", status_code=200)
async def login(
    request: Request[Any, Any, Any], wallet: WalletDep, data: JSONBody[PasswordLogin]
) -> Response[Any]:
    """Sign in with a password (rate limited per username and per client)."""
    client = _client(request)
    wallet.limiter.check(data.username, client)
    learner = await wallet.accounts.check_password(data.username, data.password)
    if learner is None:
        wallet.limiter.failed(data.username, client)
        raise ServiceError(
            "Unknown username or wrong password.", code="auth.invalid-credentials", status=401
        )
    wallet.limiter.succeeded(data.username)
    return await signed_in(wallet, learner, 200)


@post("/logout", status_code=200)
async def logout(request: Request[Any, Any, Any], wallet: WalletDep) -> Response[Any]:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await wallet.accounts.close_session(token)
    return Response({"signed_out": True}, cookies=[session_cookie(wallet, "", max_age=0)])


@get("/me")
async def me(wallet: WalletDep, learner: LearnerDep) -> dict[str, Any]:
    """The signed-in learner: username, primary DID and every DID."""
    return await me_of(wallet, learner)


@post("/dids", status_code=201)
async def add_did(wallet: WalletDep, learner: LearnerDep, data: JSONBody[NewDid]) -> dict[str, Any]:
    """Add another profile DID."""
    did = await wallet.accounts.add_did(learner, data.label)
    return {"did": did, "dids": await wallet.accounts.dids(learner)}


PUBLIC = [csrf_token, register, login, logout]
PRIVATE = [me, add_did]
