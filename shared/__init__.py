"""Satchel's trust engine: DID resolution, Data Integrity and JOSE proofs,
status lists, schemas and the verification pipeline.

``from shared import verify`` is the library's entry point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.verification.report import VerificationReport

__all__ = ["verify"]


async def verify(document: dict[str, Any] | str, **kwargs: Any) -> VerificationReport:
    """Verify a credential or presentation; see ``shared.verification.pipeline.verify``."""
    from shared.verification.pipeline import verify as _verify

    return await _verify(document, **kwargs)
