"""Per-client rate limits (in memory, per process): a sliding window of request times."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException

from verifier.config import RateLimit

_MAX_CLIENTS = 100_000


class RateLimiter:
    """Counts requests per (bucket, client) and refuses the ones over the limit with 429."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def check(self, bucket: str, client: str, rule: RateLimit) -> None:
        """Record one request; raise 429 (with Retry-After) if it is over the limit."""
        if rule.limit <= 0:
            return
        now = self._clock()
        key = (bucket, client)
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= _MAX_CLIENTS:
                self._evict(now, rule.window)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - rule.window:
            hits.popleft()
        if len(hits) >= rule.limit:
            retry = max(1, math.ceil(hits[0] + rule.window - now))
            raise TooManyRequestsException(
                detail=f"Too many {bucket} requests from this client: at most {rule.limit} "
                f"per {int(rule.window)} s. Try again in {retry} s.",
                headers={"Retry-After": str(retry)},
            )
        hits.append(now)

    def _evict(self, now: float, window: float) -> None:
        stale = [k for k, v in self._hits.items() if not v or v[-1] <= now - window]
        for key in stale:
            del self._hits[key]

    def limit(self, request: Request[Any, Any, Any], bucket: str, rule: RateLimit) -> None:
        """``check`` for the client address of ``request``."""
        client = request.client.host if request.client else "unknown"
        self.check(bucket, client, rule)
