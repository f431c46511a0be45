"""Holder binding: is the presenter the person a credential was issued to?"""

from __future__ import annotations

from typing import Any

from shared.shapes import as_list, id_of
from shared.verification.report import CheckResult, passed, warning


def holder_binding_check(credential: dict[str, Any], holder: str | None) -> CheckResult:
    """Compare a presented credential's subject (and issuer) with the presentation's holder."""
    subject_ids = {
        id_of(s) for s in as_list(credential.get("credentialSubject")) if isinstance(s, dict)
    } - {None}
    issuer = id_of(credential.get("issuer"))
    if holder is None:
        return warning(
            "holder-binding",
            "Unbound: the presentation names no holder, so nothing ties this credential "
            "to the person presenting it.",
            binding="unbound",
        )
    if issuer == holder:
        return warning(
            "holder-binding",
            "Self-asserted: the holder issued this credential to themselves.",
            binding="self-asserted",
        )
    if holder in subject_ids:
        return passed(
            "holder-binding",
            f"Bound: issued to the holder ({holder}), who signed the presentation.",
            binding="bound",
        )
    named = ", ".join(sorted(s for s in subject_ids if s)) or "a subject with no id"
    return warning(
        "holder-binding",
        f"Unbound: issued to {named}, not to the holder {holder}; anyone holding a copy "
        "could present it.",
        binding="unbound",
    )
