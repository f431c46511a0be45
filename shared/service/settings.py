"""Settings of a Satchel server process and the secrets it keeps in its data directory.

The server secret (for keys at rest) comes from ``SATCHEL_SECRET_KEY`` or is
generated on first start into ``DATA/secret.key`` (mode 0600). The issuer's
bearer token likewise comes from ``SATCHEL_ISSUER_TOKEN`` or ``DATA/issuer-token``.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shared.errors import SatchelError

if TYPE_CHECKING:  # httpx (shared.fetch) is imported only when settings are built
    from shared.fetch import FetchPolicy


class SettingsError(SatchelError):
    """The server cannot start with these settings."""

    code = "settings.invalid"


def _fetch_policy_from_env() -> FetchPolicy:
    from shared.fetch import FetchPolicy

    return FetchPolicy.from_env()


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Settings:
    """Everything a server process is configured with."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    scheme: str = "http"
    # The origin other devices reach this server at (default: scheme://host:port).
    public_url: str | None = None
    secret: bytes = b""
    issuer_token: str | None = None
    # The issuer's write endpoints without a bearer token: honoured only on a loopback host.
    issuer_token_disabled: bool = False
    max_body_bytes: int = 1_048_576
    # Seconds between scheduled re-verifications of stored credentials (0: never).
    reverify_interval: float = 86_400.0
    fetch_policy: FetchPolicy = field(default_factory=_fetch_policy_from_env)
    now: Callable[[], datetime] = _utcnow

    @property
    def base_url(self) -> str:
        """The public origin, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def database_path(self) -> Path:
        """The SQLite file."""
        return self.data_dir / "satchel.db"


def is_loopback_host(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _private_file(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def load_secret(data_dir: Path) -> bytes:
    """The server secret: ``SATCHEL_SECRET_KEY`` or a generated 0600 file."""
    env = os.environ.get("SATCHEL_SECRET_KEY")
    if env:
        if len(env) < 32:
            raise SettingsError(
                "SATCHEL_SECRET_KEY must be at least 32 characters.", code="settings.weak-secret"
            )
        return hashlib.sha256(env.encode()).digest()
    text = _private_file(
        data_dir / "secret.key",
        lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )
    return base64.urlsafe_b64decode(text)


def load_issuer_token(data_dir: Path) -> str:
    """The issuer's bearer token: ``SATCHEL_ISSUER_TOKEN`` or a generated 0600 file."""
    env = os.environ.get("SATCHEL_ISSUER_TOKEN")
    if env:
        return env
    return _private_file(data_dir / "issuer-token", lambda: secrets.token_urlsafe(32))
