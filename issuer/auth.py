"""The issuer's bearer token: every write (and every list of learners) needs it.

Without a configured token nothing is allowed. Switching the check off is honoured
only for a server bound to a loopback address, and only when asked explicitly.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from shared.service.settings import Settings, is_loopback_host


def token_check_disabled(settings: Settings) -> bool:
    """True when the token was switched off for a loopback-only server."""
    return settings.issuer_token_disabled and is_loopback_host(settings.host)


def bearer_guard(settings: Settings) -> Any:
    """A Litestar guard requiring ``Authorization: Bearer <settings.issuer_token>``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if token_check_disabled(settings):
            return
        expected = settings.issuer_token
        scheme, _sep, value = connection.headers.get("authorization", "").partition(" ")
        if (
            not expected
            or scheme.lower() != "bearer"
            or not hmac.compare_digest(value.strip().encode(), expected.encode())
        ):
            raise NotAuthorizedException(
                "The issuer's bearer token is required (Authorization: Bearer <token>).",
                headers={"WWW-Authenticate": 'Bearer realm="satchel-issuer"'},
            )

    return guard
