"""The composition root: one Litestar app mounting every service of Satchel.

``create_app(settings)`` opens the database, applies each service's migrations
and mounts their routers. Services are registered in ``SERVICES``: a service is
a module with ``NAME``, ``MIGRATIONS`` (a list of SQL scripts) and
``router(runtime) -> litestar.Router``; optionally ``async on_startup(runtime)`` and
``async on_shutdown(runtime)`` (background tasks), run after the migrations and before
the database closes, and ``MIDDLEWARE`` (ASGI middleware factories applied to the whole
app, e.g. the PWA's security headers).
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import time
from collections.abc import Sequence
from typing import Any, Protocol

import msgspec
from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pwa.problems import EXCEPTION_HANDLERS
from shared.fetch import FetchPolicy
from shared.service.runtime import Runtime
from shared.service.settings import Settings
from shared.service.storage import Database

# Modules providing a service (NAME, MIGRATIONS, router(runtime)); registered in one place.
SERVICES: tuple[str, ...] = (
    "verifier.service",
    "issuer.service",
    "wallet.service",
    "pwa.frontend",
)

access_log = logging.getLogger("satchel.access")


class ServiceModule(Protocol):
    """What a service module provides."""

    NAME: str
    MIGRATIONS: Sequence[str]

    def router(self, runtime: Runtime) -> Router: ...


def load_services(names: Sequence[str] = SERVICES) -> list[ServiceModule]:
    """Import the service modules named in ``names``."""
    return [importlib.import_module(name) for name in names]  # type: ignore[misc]


def _with_own_origin(settings: Settings) -> FetchPolicy:
    """The fetch policy, also allowing this server's own origin (its status lists, DIDs)."""
    policy = settings.fetch_policy
    own = f"{settings.host}:{settings.port}"
    if own in policy.allow_hosts:
        return policy
    return msgspec.structs.replace(policy, allow_hosts=frozenset({*policy.allow_hosts, own}))


# Path segments that are bearer secrets (share tokens, offer ids, exchange handles): never logged.
_SECRET_SEGMENT = re.compile(
    r"^(/s|/share|/oid4vci/offers|/exchanges|/interactions|/oid4vp/requests|/oid4vp/responses)"
    r"/[^/]+"
)


def loggable_path(path: str) -> str:
    """``path`` with any secret-bearing segment replaced by ``…``."""
    return _SECRET_SEGMENT.sub(lambda m: m.group(1) + "/…", path)


def access_log_middleware(app: ASGIApp) -> ASGIApp:
    """One structured (JSON) log line per HTTP request."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            access_log.info(
                json.dumps(
                    {
                        "method": scope.get("method"),
                        "path": loggable_path(str(scope.get("path", ""))),
                        "status": status,
                        "ms": round((time.perf_counter() - start) * 1000, 2),
                    }
                )
            )

    return middleware


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """Liveness probe."""
    return {"status": "ok"}


def create_app(settings: Settings, services: Sequence[str] = SERVICES) -> Litestar:
    """Build the Satchel app for ``settings`` with the named service modules."""
    settings.fetch_policy = _with_own_origin(settings)
    runtime = Runtime(settings=settings, db=Database(settings.database_path))
    modules = load_services(services)

    async def startup(app: Litestar) -> None:
        await runtime.db.open()
        for module in modules:
            await runtime.db.migrate(module.NAME, module.MIGRATIONS)
        for module in modules:
            hook = getattr(module, "on_startup", None)
            if hook is not None:
                await hook(runtime)

    async def shutdown(app: Litestar) -> None:
        for module in reversed(modules):
            hook = getattr(module, "on_shutdown", None)
            if hook is not None:
                await hook(runtime)
        await runtime.db.close()

    return Litestar(
        route_handlers=[healthz, *(module.router(runtime) for module in modules)],
        on_startup=[startup],
        on_shutdown=[shutdown],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(title="Satchel", version="0.1.0", path="/schema"),
        request_max_body_size=settings.max_body_bytes,
        middleware=[
            access_log_middleware,
            *(mw for module in modules for mw in getattr(module, "MIDDLEWARE", ())),
        ],
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            formatters={"standard": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            log_exceptions="debug",
        ),
        state=State({"runtime": runtime}),
    )


def runtime_of(app: Litestar) -> Runtime:
    """The runtime an app was built with."""
    runtime: Any = app.state["runtime"]
    return runtime  # type: ignore[no-any-return]
