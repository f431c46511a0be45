"""The runtime a service is built with: settings, the database and the guarded fetcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from shared.service.settings import Settings
from shared.service.storage import Database

if TYPE_CHECKING:
    from shared.fetch import Fetcher


@dataclass
class Runtime:
    """Shared by every service of one process; built by the composition root."""

    settings: Settings
    db: Database
    _fetcher: Fetcher | None = field(default=None, repr=False)

    @property
    def fetcher(self) -> Fetcher:
        """The guarded fetcher, with the settings' policy (built on first use)."""
        if self._fetcher is None:
            from shared.fetch import Fetcher

            self._fetcher = Fetcher(self.settings.fetch_policy)
        return self._fetcher

    def now(self) -> datetime:
        """The current time (injectable through the settings)."""
        return self.settings.now()
