"""The verifier service with small rate limits, for the 429 tests."""

from __future__ import annotations

from litestar import Router

from shared.service.runtime import Runtime
from verifier import service
from verifier.config import RateLimit, VerifierConfig

NAME = service.NAME
MIGRATIONS = service.MIGRATIONS
CONFIG = VerifierConfig(
    verify_rate=RateLimit(3), request_rate=RateLimit(2), wallet_rate=RateLimit(50)
)


def router(runtime: Runtime) -> Router:
    return service.router(runtime, CONFIG)
