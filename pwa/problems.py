"""Errors as ``application/problem+json`` (RFC 9457) with stable ``type`` URIs."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from shared.errors import PROBLEM_TYPE_BASE, SatchelError, http_status_of

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("satchel.http")

_HTTP_CODES = {
    400: "request.invalid",
    401: "auth.required",
    403: "auth.forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "request.too-large",
    415: "request.unsupported-media-type",
    429: "rate-limited",
}


def problem(status: int, code: str, title: str, detail: str, /, **extra: Any) -> Response[Any]:
    """A problem+json response."""
    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def satchel_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Typed errors from ``shared`` and the services."""
    assert isinstance(exc, SatchelError)
    status = http_status_of(exc)
    extra: dict[str, Any] = {"code": exc.code}
    safe_details = {k: v for k, v in exc.details.items() if isinstance(v, str | int | float | bool)}
    if safe_details:
        extra["details"] = safe_details
    return problem(status, exc.code, exc.code, exc.message, **extra)


def http_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Litestar's own HTTP errors (routing, validation, size limits)."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, f"http.{status}")
    extra: dict[str, Any] = {"code": code}
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        extra["errors"] = exc.extra
    headers = dict(exc.headers or {})
    response = problem(status, code, code, str(exc.detail), **extra)
    response.headers.update(headers)
    return response


def recursion_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A body nested too deeply for the JSON decoder (msgspec raises RecursionError)."""
    return problem(
        400,
        "request.too-deep",
        "request.too-deep",
        "The request body is nested too deeply.",
        code="request.too-deep",
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Anything unexpected: logged with its traceback, answered without one."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal", "internal", "The server failed to handle this request.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    SatchelError: satchel_error_handler,
    HTTPException: http_error_handler,
    RecursionError: recursion_error_handler,
    Exception: internal_error_handler,
}
