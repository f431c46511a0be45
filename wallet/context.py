"""Everything the wallet's handlers share, injected as the ``wallet`` dependency."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from shared.errors import ServiceError
from shared.service.runtime import Runtime
from wallet.accounts import Accounts, Learner
from wallet.credentials import Credentials
from wallet.passkeys import Passkeys
from wallet.ratelimit import LoginLimiter
from wallet.shares import Shares

SESSION_COOKIE = "satchel_session"


class Wallet:
    """The wallet's repositories and process state (a plain class: handlers receive it
    as a dependency, which must not be validated field by field)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.accounts = Accounts(self.runtime)
        self.credentials = Credentials(self.runtime)
        self.limiter = LoginLimiter(self.runtime.now)
        self.shares = Shares(self.runtime, self.credentials)
        self.passkeys = Passkeys(self.runtime)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are ``Secure`` when the server is reached over https."""
        return self.runtime.settings.base_url.startswith("https://")


async def provide_learner(request: Request[Any, Any, Any], wallet: WalletDep) -> Learner:
    """The signed-in learner (401 without a live session)."""
    token = request.cookies.get(SESSION_COOKIE)
    learner = await wallet.accounts.session_learner(token) if token else None
    if learner is None:
        raise ServiceError("Sign in first.", code="auth.required", status=401)
    return learner


WalletDep = NamedDependency[Wallet]
LearnerDep = NamedDependency[Learner]
