"""Login rate limits: failed attempts counted per username and per client address."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from shared.errors import ServiceError


class LoginLimiter:
    """At most ``per_user`` failures per username and ``per_client`` per address in ``window``.

    In memory, for one process: enough to stop online guessing against one server.
    Time comes from ``clock`` (the runtime's injectable clock).
    """

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        per_user: int = 5,
        per_client: int = 20,
        window: timedelta = timedelta(minutes=15),
    ) -> None:
        self._clock = clock
        self._limits = {"user": per_user, "client": per_client}
        self._window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}

    def _recent(self, key: tuple[str, str]) -> deque[datetime]:
        now = self._clock()
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self._window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    @staticmethod
    def _keys(username: str | None, client: str) -> list[tuple[str, str]]:
        keys = [("client", client)]
        if username is not None:
            keys.append(("user", username.lower()))
        return keys

    def check(self, username: str | None, client: str) -> None:
        """Refuse (429) while either key has too many recent failures (no username: client only)."""
        for kind, value in self._keys(username, client):
            if len(self._recent((kind, value))) >= self._limits[kind]:
                raise ServiceError(
                    "Too many failed sign-in attempts; try again later.",
                    code="auth.rate-limited",
                    status=429,
                )

    def failed(self, username: str | None, client: str) -> None:
        """Count a failed attempt."""
        now = self._clock()
        for key in self._keys(username, client):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        """Forget the username's failures after a successful sign-in."""
        self._failures.pop(("user", username.lower()), None)
