"""How reports are shown: VC-API verification results and failure records.

VC-API (w3c-ccg/vc-api) names a verification result's members ``verified``,
``checks`` (the names of the checks performed and passed), ``warnings`` and ``errors``
(RFC 9457 ProblemDetails, typed with the VCDM 2.0 / Data Integrity problem types where
one applies). Satchel adds its full ``report``.

``options.checks`` semantics: it selects which check names are *reported* in
``checks``; Satchel always runs every check, and a failure of any check, requested or
not, is listed in ``errors`` and makes ``verified`` false. Narrowing never turns a
failure into success. A requested check that did not apply (e.g. ``status`` on a
credential without ``credentialStatus``) is reported as a warning.
"""

from __future__ import annotations

from typing import Any, Final

from shared.errors import ServiceError
from shared.verification.report import CheckResult, VerificationReport

VCDM: Final = "https://www.w3.org/TR/vc-data-model#"
SECURITY: Final = "https://w3id.org/security#"
STATUS_LIST: Final = "https://www.w3.org/ns/credentials/status-list#"
UNKNOWN_OPTION: Final = "https://www.w3.org/TR/vc-api#UNKNOWN_OPTION_PROVIDED"

# VC-API check name -> the Satchel check ids it stands for.
CHECK_GROUPS: Final[dict[str, frozenset[str]]] = {
    "syntax": frozenset({"syntax"}),
    "context": frozenset({"context", "context-order"}),
    "proof": frozenset({"proof", "issuer-key", "proof-purpose", "proof-created", "proof-expires"}),
    "validFrom": frozenset({"valid-from"}),
    "expiration": frozenset({"valid-until"}),
    "status": frozenset({"status", "status.revocation", "status.suspension", "status.message"}),
    "schema": frozenset({"schema"}),
    "challenge": frozenset({"challenge"}),
    "domain": frozenset({"domain"}),
    "holder": frozenset({"holder-binding"}),
    "subject": frozenset({"subject"}),
    "recipient": frozenset({"recipient"}),
    "issuerTrust": frozenset({"issuer-trust"}),
    "clr": frozenset({"clr-credentials", "clr-subject", "clr-associations", "clr-bundle"}),
}
CHECK_ALIASES: Final[dict[str, str]] = {
    "credentialStatus": "status",
    "credentialSchema": "schema",
    "validUntil": "expiration",
    "expirationDate": "expiration",
    "issuanceDate": "validFrom",
}

_PROBLEM_TYPES: Final[dict[str, tuple[str, str]]] = {
    "syntax": (VCDM, "MALFORMED_VALUE_ERROR"),
    "context": (VCDM, "MALFORMED_VALUE_ERROR"),
    "proof": (VCDM, "CRYPTOGRAPHIC_SECURITY_ERROR"),
    "issuer-key": (VCDM, "CRYPTOGRAPHIC_SECURITY_ERROR"),
    "proof-purpose": (VCDM, "CRYPTOGRAPHIC_SECURITY_ERROR"),
    "proof-created": (VCDM, "RANGE_ERROR"),
    "proof-expires": (VCDM, "RANGE_ERROR"),
    "valid-from": (VCDM, "RANGE_ERROR"),
    "valid-until": (VCDM, "RANGE_ERROR"),
    "challenge": (SECURITY, "INVALID_CHALLENGE_ERROR"),
    "domain": (SECURITY, "INVALID_DOMAIN_ERROR"),
}


def normalise_checks(requested: Any) -> list[str] | None:
    """The VC-API check names of ``options.checks`` (None: all); unknown names are a 400."""
    if requested is None:
        return None
    if not isinstance(requested, list) or not all(isinstance(c, str) for c in requested):
        raise ServiceError(
            "options.checks must be an array of check names.",
            code="vcapi.unknown-option",
            status=400,
        )
    names: list[str] = []
    for raw in requested:
        name = CHECK_ALIASES.get(raw, raw)
        if name not in CHECK_GROUPS:
            raise ServiceError(
                f"Unknown check {raw!r} in options.checks (known: "
                + ", ".join(sorted({*CHECK_GROUPS, *CHECK_ALIASES}))
                + ").",
                code="vcapi.unknown-option",
                status=400,
            )
        if name not in names:
            names.append(name)
    return names


def _all_checks(report: VerificationReport) -> list[tuple[str | None, CheckResult]]:
    found: list[tuple[str | None, CheckResult]] = [(report.label, c) for c in report.checks]
    for nested in report.nested:
        found.extend(_all_checks(nested))
    return found


def problem_details(check: CheckResult, label: str | None) -> dict[str, Any]:
    """A ProblemDetails object for a failed or warning check."""
    base, title = _PROBLEM_TYPES.get(check.id, ("", ""))
    if check.id.startswith("status"):
        base, title = STATUS_LIST, "STATUS_VERIFICATION_ERROR"
    satchel_type = check.problem_type or (
        f"https://satchel.dev/problems/{check.code}" if check.code else None
    )
    problem: dict[str, Any] = {
        "type": base + title if base else satchel_type or "about:blank",
        "title": title or check.code or check.id,
        "detail": f"{label}: {check.message}" if label else check.message,
        "check": check.id,
    }
    if check.code:
        problem["code"] = check.code
    if label:
        problem["credential"] = label
    return problem


def vcapi_result(report: VerificationReport, requested: list[str] | None) -> dict[str, Any]:
    """The VC-API verification result for ``report`` (see the module docstring)."""
    everything = _all_checks(report)
    errors = [problem_details(c, label) for label, c in everything if c.status == "failed"]
    warnings = [problem_details(c, label) for label, c in everything if c.status == "warning"]
    top = report.checks
    names = requested if requested is not None else list(CHECK_GROUPS)
    performed: list[str] = []
    for name in names:
        group = [c for c in top if c.id in CHECK_GROUPS[name]]
        ran = [c for c in group if c.status != "skipped"]
        if ran and all(c.status in ("passed", "warning") for c in ran):
            performed.append(name)
        elif requested is not None and not ran:
            warnings.append(
                {
                    "type": "https://satchel.dev/problems/check.not-applicable",
                    "title": "check.not-applicable",
                    "detail": f"The requested check {name!r} does not apply to this "
                    + ("presentation." if report.kind == "presentation" else "credential."),
                    "check": name,
                }
            )
    return {
        "verified": report.verified,
        "checks": performed,
        "warnings": warnings,
        "errors": errors,
        "report": report.to_dict(),
    }


def failure_record(report: VerificationReport) -> dict[str, Any]:
    """What is kept of a failed verification: verdict, check ids, codes and messages.

    No summary (issuer, subject, achievement) and no document content is kept.
    """
    return {
        "verified": False,
        "kind": report.kind,
        "format": report.format,
        "checked_at": report.checked_at,
        "label": report.label,
        "checks": [
            {
                k: v
                for k, v in (
                    ("id", c.id),
                    ("status", c.status),
                    ("code", c.code),
                    ("message", c.message),
                )
                if v is not None
            }
            for c in report.checks
            if c.status in ("failed", "warning")
        ],
        "nested": [failure_record(n) for n in report.nested if not n.verified],
    }


def top_level_failed(report: VerificationReport) -> bool:
    """True if the report's own checks (not its nested ones) failed, or it has no proof."""
    proof_ok = any(c.id == "proof" and c.status in ("passed", "warning") for c in report.checks)
    return not proof_ok or any(c.status == "failed" for c in report.checks)


def first_failure_code(report: VerificationReport) -> str | None:
    """The code of the first failed check, the report's own before its nested ones."""
    for _, check in _all_checks(report):
        if check.status == "failed":
            return check.code or f"check.{check.id}"
    return None
