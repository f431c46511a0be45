"""The wallet service module: ``NAME``, ``MIGRATIONS``, ``router(runtime)`` and lifecycle hooks.

Everything under ``/api/wallet`` is CSRF-protected (cookie ``csrftoken``, header
``x-csrftoken``) and, except sign-up/sign-in, needs a session. Share links
(``/s/{token}``) are public.
"""

from __future__ import annotations

import hashlib
import hmac

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware

from shared.service.runtime import Runtime
from wallet import (
    api_accounts,
    api_backup,
    api_credentials,
    api_passkeys,
    api_requests,
    api_shares,
)
from wallet.context import Wallet, provide_learner
from wallet.scheduler import Scheduler
from wallet.schema import MIGRATIONS as _MIGRATIONS

NAME = "wallet"
MIGRATIONS = _MIGRATIONS

_wallets: dict[int, Wallet] = {}
_schedulers: dict[int, Scheduler] = {}


def wallet_for(runtime: Runtime) -> Wallet:
    """The one :class:`Wallet` of ``runtime``."""
    wallet = _wallets.get(id(runtime))
    if wallet is None or wallet.runtime is not runtime:
        wallet = _wallets[id(runtime)] = Wallet(runtime)
    return wallet


def _csrf_secret(runtime: Runtime) -> str:
    return hmac.new(runtime.settings.secret, b"satchel-wallet-csrf", hashlib.sha256).hexdigest()


def router(runtime: Runtime) -> Router:
    """The wallet's routes."""
    wallet = wallet_for(runtime)
    csrf = CSRFConfig(
        secret=_csrf_secret(runtime),
        cookie_secure=wallet.secure_cookies,
        cookie_samesite="lax",
        cookie_path="/",
    )

    def provide_wallet() -> Wallet:
        return wallet

    api = Router(
        path="/api/wallet",
        route_handlers=[
            *api_accounts.PUBLIC,
            *api_accounts.PRIVATE,
            *api_passkeys.PUBLIC,
            *api_passkeys.PRIVATE,
            *api_credentials.ROUTES,
            *api_shares.ROUTES,
            *api_backup.ROUTES,
            *api_requests.ROUTES,
        ],
        dependencies={"learner": Provide(provide_learner)},
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf)],
        tags=["wallet"],
    )
    shares = Router(path="/s", route_handlers=api_shares.PUBLIC, tags=["shares"])
    return Router(
        path="/",
        route_handlers=[api, shares],
        dependencies={"wallet": Provide(provide_wallet, sync_to_thread=False)},
    )


async def on_startup(runtime: Runtime) -> None:
    """Start scheduled re-verification."""
    scheduler = _schedulers[id(runtime)] = Scheduler(wallet_for(runtime))
    scheduler.start()


async def on_shutdown(runtime: Runtime) -> None:
    """Stop scheduled re-verification."""
    scheduler = _schedulers.pop(id(runtime), None)
    if scheduler is not None:
        await scheduler.stop()
    _wallets.pop(id(runtime), None)
