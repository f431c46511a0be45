"""Verifying what the wallet holds, and the state a learner is shown for it."""

from __future__ import annotations

from typing import Any

from shared.did import ResolveContext
from shared.errors import SatchelError
from shared.sd import full_disclosure, sd_base_proof
from shared.service.runtime import Runtime
from shared.verification.pipeline import VerifyOptions, verify
from shared.verification.report import CheckResult, VerificationReport, from_error

STATES = ("valid", "expired", "revoked", "suspended", "unknown", "not-verified")


def options_for(
    runtime: Runtime, *, challenge: str | None = None, domain: str | None = None
) -> VerifyOptions:
    """Pipeline options with the server's guarded fetcher and clock."""
    return VerifyOptions(
        resolve=ResolveContext(fetcher=runtime.fetcher),
        now=runtime.now,
        challenge=challenge,
        domain=domain,
    )


async def check_credential(runtime: Runtime, document: dict[str, Any] | str) -> VerificationReport:
    """Verify a credential with the pipeline.

    A credential with an ecdsa-sd-2023 *base* proof (what a holder receives) is
    checked through a full disclosure derived here: that derived proof verifies
    only if the issuer's base signature and every statement signature hold.
    """
    if sd_base_proof(document) is not None:
        assert isinstance(document, dict)
        try:
            derived = full_disclosure(document)
        except SatchelError as exc:
            report = await verify(document, options=options_for(runtime))
            report.checks.insert(0, from_error("proof", exc))
            report.verified = False
            report.outcome = "invalid"
            return report
        report = await verify(derived, options=options_for(runtime))
        report.checks.insert(
            0,
            CheckResult(
                "selective-disclosure",
                "passed",
                "An ecdsa-sd-2023 base proof: checked through a full disclosure derived "
                "by the wallet (a verifier will only see what the learner chooses to reveal).",
            ),
        )
        return report
    return await verify(document, options=options_for(runtime))


_STATE_OF_OUTCOME = {
    "verified": "valid",
    "revoked": "revoked",
    "suspended": "suspended",
    "expired": "expired",
    "status-unknown": "unknown",
}


def state_of(report: VerificationReport) -> str:
    """valid | expired | revoked | suspended | unknown (status not checkable) | not-verified.

    From the pipeline's one-word outcome; anything else (invalid, not yet valid) is
    not verified.
    """
    if not report.verified and report.outcome == "verified":
        return "not-verified"
    return _STATE_OF_OUTCOME.get(report.outcome or "", "not-verified")
