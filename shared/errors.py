"""Typed errors of the trust engine, each with a stable code.

The code is what the verification report, the CLI and the HTTP API (as the
problem+json ``type`` suffix) expose; messages are for people and may change.
Inside ``shared`` failures are raised as these exceptions; only the pipeline
turns them into check results.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "https://satchel.dev/problems/"


class SatchelError(Exception):
    """Base of every error raised by ``shared``; ``code`` is stable."""

    code: ClassVar[str] = "error"
    # The HTTP status a service answers with when this error reaches it unhandled.
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details: dict[str, Any] = details

    @property
    def problem_type(self) -> str:
        """The problem+json ``type`` URI for this error."""
        return PROBLEM_TYPE_BASE + self.code

    def __str__(self) -> str:
        return self.message


class InputError(SatchelError):
    """The input is not usable (not JSON, too large, too deep, duplicate keys...)."""

    code = "input.invalid"


class ContextError(SatchelError):
    """A JSON-LD context is unknown, tampered or not allowed."""

    code = "context.unknown"


class JsonLdError(SatchelError):
    """JSON-LD processing failed or would silently lose data (safe mode)."""

    code = "jsonld.invalid"


class CanonicalizationError(SatchelError):
    """RDF canonicalization failed or exceeded its work limit."""

    code = "canonicalization.failed"


class KeyFormatError(SatchelError):
    """A key could not be decoded, or is of the wrong type for its use."""

    code = "key.invalid"


class DidError(SatchelError):
    """A DID could not be resolved or its document is not acceptable."""

    code = "did.unresolvable"


class FetchError(SatchelError):
    """The guarded fetcher refused or could not complete a request."""

    code = "fetch.failed"
    http_status = 422


class ProofError(SatchelError):
    """A proof is malformed, unsupported or does not verify."""

    code = "proof.invalid"


class VerificationMethodError(SatchelError):
    """The proof's verification method is not authorised for this proof."""

    code = "proof.verification-method"


class JoseError(SatchelError):
    """A JWS/JWT is malformed, unsafe or does not verify."""

    code = "jose.invalid"


class StatusError(SatchelError):
    """A credential status could not be checked."""

    code = "status.unavailable"


class SchemaError(SatchelError):
    """A JSON Schema could not be applied."""

    code = "schema.unavailable"


class ServiceError(SatchelError):
    """A request to a service cannot be served (not found, forbidden, conflict, expired...).

    ``status`` is the HTTP status; the code is the problem type's suffix.
    """

    code = "service.error"

    def __init__(self, message: str, *, code: str, status: int = 400, **details: Any) -> None:
        super().__init__(message, code=code, **details)
        self.status = status


def http_status_of(error: SatchelError) -> int:
    """The HTTP status for ``error`` (a ServiceError's own, else its class default)."""
    return error.status if isinstance(error, ServiceError) else error.http_status
