"""Scheduled re-verification: every credential not checked within the interval is checked."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from shared.errors import SatchelError
from wallet.accounts import Learner
from wallet.common import iso
from wallet.context import Wallet

log = logging.getLogger("satchel.wallet.scheduler")


async def reverify_due(wallet: Wallet) -> int:
    """Re-verify every credential last checked longer than the interval ago; return how many."""
    interval = wallet.runtime.settings.reverify_interval
    cutoff = iso(wallet.runtime.now() - timedelta(seconds=interval))
    learners = await wallet.runtime.db.fetchall("SELECT id, username FROM wallet_learners")
    count = 0
    for row in learners:
        learner = Learner(row["id"], row["username"])
        for credential_id in await wallet.credentials.due(learner, cutoff):
            try:
                await wallet.credentials.reverify(learner, credential_id)
                count += 1
            except SatchelError as exc:  # deleted meanwhile, or a check that raised
                log.info("re-verification of %s skipped: %s", credential_id, exc)
    return count


class Scheduler:
    """A background task running :func:`reverify_due` every ``reverify_interval`` seconds."""

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop (no-op when the interval is 0)."""
        interval = self.wallet.runtime.settings.reverify_interval
        if interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(interval))

    async def _loop(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await reverify_due(self.wallet)
            except Exception:  # keep the schedule alive; the next round tries again
                log.exception("scheduled re-verification failed")

    async def stop(self) -> None:
        """Cancel the loop and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
