"""The verifier as a Satchel service module (registered in ``pwa.app.SERVICES``)."""

from __future__ import annotations

from litestar import Router

from shared.service.runtime import Runtime
from verifier.config import VerifierConfig
from verifier.core import Verifier
from verifier.routes import build_router
from verifier.store import MIGRATIONS as STORE_MIGRATIONS

NAME = "verifier"
MIGRATIONS: list[str] = list(STORE_MIGRATIONS)


def router(runtime: Runtime, config: VerifierConfig | None = None) -> Router:
    """The verifier's routes for ``runtime`` (settings from the environment by default)."""
    return build_router(Verifier(runtime, config or VerifierConfig.from_env()))
