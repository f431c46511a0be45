"""The sandbox issuer as a Satchel service (``NAME``, ``MIGRATIONS``, ``router``)."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from issuer import http_api, http_oid4vci, http_public, http_vcapi
from issuer.app import IssuerApp
from issuer.auth import bearer_guard
from issuer.schema import MIGRATIONS, NAME
from shared.service.runtime import Runtime

__all__ = ["MIGRATIONS", "NAME", "router"]


def router(runtime: Runtime) -> Router:
    """Every issuer route; writes and learner data behind the bearer token."""
    app = IssuerApp.build(runtime)

    def provide() -> IssuerApp:
        return app

    guarded = Router(
        path="/",
        route_handlers=[*http_vcapi.GUARDED, *http_api.GUARDED],
        guards=[bearer_guard(runtime.settings)],
    )
    return Router(
        path="/",
        route_handlers=[
            *http_public.HANDLERS,
            *http_vcapi.PUBLIC,
            *http_api.PUBLIC,
            guarded,
            http_oid4vci.router(),
        ],
        dependencies={"svc": Provide(provide, sync_to_thread=False)},
        tags=["issuer"],
    )
