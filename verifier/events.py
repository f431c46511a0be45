"""In-process notifications of request changes, for Server-Sent Events streams.

Each change is published with the request's new status payload, so a stream sees
every state (``received`` too, however quickly verification then finishes). The store
stays the source of truth: streams also re-read it when nothing arrives for a while,
which is how they notice expiry and changes made by another process.
"""

from __future__ import annotations

import asyncio
from typing import Any

_MAX_QUEUED = 16


class Hub:
    """Subscribers per request id; ``publish`` hands each the new status payload."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    def subscribe(self, request_id: str) -> asyncio.Queue[dict[str, Any]]:
        """A queue receiving every status payload published for ``request_id``."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=_MAX_QUEUED)
        self._subscribers.setdefault(request_id, set()).add(queue)
        return queue

    def unsubscribe(self, request_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop notifying ``queue``."""
        queues = self._subscribers.get(request_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._subscribers[request_id]

    def publish(self, request_id: str, payload: dict[str, Any]) -> None:
        """Give ``payload`` to every subscriber of ``request_id`` (a full queue drops it)."""
        for queue in self._subscribers.get(request_id, ()):
            if not queue.full():
                queue.put_nowait(payload)
