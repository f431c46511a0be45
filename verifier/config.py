"""The verifier's own settings: request lifetime, retention and rate limits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests per ``window`` seconds per client (0 disables)."""

    limit: int
    window: float = 60.0


@dataclass(frozen=True)
class VerifierConfig:
    """Tunables of the verifier service.

    ``request_ttl``: how long a verification request (its nonce) can be answered.
    ``retention``: how long an expired or finished request is kept before it is purged.
    Rate limits are per client address: ``verify`` for the verification endpoints,
    ``requests`` for creating verification requests, ``wallet`` for wallet-facing
    protocol endpoints (request objects, responses, exchanges).
    """

    request_ttl: timedelta = timedelta(minutes=10)
    retention: timedelta = timedelta(days=1)
    verify_rate: RateLimit = RateLimit(120)
    request_rate: RateLimit = RateLimit(30)
    wallet_rate: RateLimit = RateLimit(120)
    # Upper bound on how long one SSE stream stays open (the page reconnects).
    events_max_seconds: float = 600.0
    # How often an SSE stream re-reads the store when nothing was published.
    events_poll_seconds: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> VerifierConfig:
        """Defaults, overridden by ``SATCHEL_VERIFIER_*`` variables (seconds / counts)."""
        env = os.environ if environ is None else environ

        def number(name: str, default: float) -> float:
            raw = env.get(f"SATCHEL_VERIFIER_{name}")
            return float(raw) if raw else default

        base = cls()
        return cls(
            request_ttl=timedelta(seconds=number("REQUEST_TTL", base.request_ttl.total_seconds())),
            retention=timedelta(seconds=number("RETENTION", base.retention.total_seconds())),
            verify_rate=RateLimit(int(number("VERIFY_RATE", base.verify_rate.limit))),
            request_rate=RateLimit(int(number("REQUEST_RATE", base.request_rate.limit))),
            wallet_rate=RateLimit(int(number("WALLET_RATE", base.wallet_rate.limit))),
        )
