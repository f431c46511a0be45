"""The verifier service with rate limits out of the way (most API tests share one client)."""

from __future__ import annotations

from litestar import Router

from shared.service.runtime import Runtime
from verifier import service
from verifier.config import RateLimit, VerifierConfig

NAME = service.NAME
MIGRATIONS = service.MIGRATIONS
CONFIG = VerifierConfig(
    verify_rate=RateLimit(100_000), request_rate=RateLimit(100_000), wallet_rate=RateLimit(100_000)
)


def router(runtime: Runtime) -> Router:
    return service.router(runtime, CONFIG)
