"""A real Satchel app served by uvicorn on 127.0.0.1 in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import uvicorn

from pwa.app import create_app
from shared.service.settings import Settings


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class AppServer:
    """Runs ``create_app(settings)`` on loopback; ``url(path)`` builds request URLs."""

    def __init__(self, settings: Settings, services: Sequence[str] | None = None) -> None:
        self.settings = settings
        self.app = create_app(settings) if services is None else create_app(settings, services)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=settings.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.settings.base_url

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + path

    def client(self, **kwargs: object) -> httpx.Client:
        """A plain httpx client for this server (tests only; loopback)."""
        return httpx.Client(base_url=self.base_url, timeout=10.0, **kwargs)  # type: ignore[arg-type]

    def start(self) -> AppServer:
        """Start and wait until the server answers."""
        self._thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._server.started:
                return self
            time.sleep(0.02)
        raise RuntimeError("the app server did not start")

    def stop(self) -> None:
        """Stop and join the server thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a loopback test server on a free port with a fixed secret."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "host": "127.0.0.1",
        "port": free_port(),
        "secret": b"\x07" * 32,
        "issuer_token": "test-issuer-token",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
