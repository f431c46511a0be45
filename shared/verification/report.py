"""The verification report: the one structure every verdict is rendered from."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from shared.errors import SatchelError

Status = Literal["passed", "failed", "warning", "skipped"]

# The one-word verdict people see first, most serious first.
Outcome = Literal[
    "verified",
    "invalid",
    "revoked",
    "suspended",
    "expired",
    "not-yet-valid",
    "status-unknown",
]

# Nested reports with these roles are shown but do not decide the parent's verdict.
ADVISORY_ROLES = frozenset({"endorsement"})


class CheckResult(msgspec.Struct, omit_defaults=True):
    """One check: a stable id, its outcome and a plain-language message."""

    id: str
    status: Status
    message: str
    code: str | None = None
    problem_type: str | None = None
    details: dict[str, Any] = {}


class Summary(msgspec.Struct, omit_defaults=True):
    """A short description of what was verified, for display."""

    types: list[str] = []
    # The credential's (or CLR's) own name.
    name: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    holder: str | None = None
    subject_id: str | None = None
    subject_name: str | None = None
    achievement_name: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    # For a CLR: "learner-assembled" (issued by its own subject) or "issuer-assembled".
    bundle: str | None = None


class VerificationReport(msgspec.Struct, omit_defaults=True):
    """The verdict on a credential or presentation, with every check and nested report.

    ``verified`` is true only when at least one proof was checked and passed,
    no check failed, and every nested report is verified.
    """

    verified: bool
    kind: Literal["credential", "presentation", "unknown"]
    format: str
    checks: list[CheckResult]
    summary: Summary = msgspec.field(default_factory=Summary)
    nested: list[VerificationReport] = []
    label: str | None = None
    checked_at: str | None = None
    # Always present in the encoded report (set in __post_init__ when not given).
    outcome: Outcome | None = None
    # Why this report is nested: "credential" (of a presentation), "clr-credential",
    # "endorsement" (advisory: shown, but not part of the parent's verdict).
    role: str | None = None

    def __post_init__(self) -> None:
        if self.outcome is None:
            self.outcome = "verified" if self.verified else "invalid"

    def check(self, check_id: str) -> CheckResult | None:
        """The first check with ``check_id``, if any."""
        return next((c for c in self.checks if c.id == check_id), None)

    @property
    def failures(self) -> list[CheckResult]:
        """Checks that failed, in this report only."""
        return [c for c in self.checks if c.status == "failed"]

    @property
    def warnings(self) -> list[CheckResult]:
        """Checks that passed with a warning, in this report only."""
        return [c for c in self.checks if c.status == "warning"]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible dict."""
        result: dict[str, Any] = msgspec.to_builtins(self)
        return result


def passed(check_id: str, message: str, **details: Any) -> CheckResult:
    """A passed check."""
    return CheckResult(check_id, "passed", message, details=details)


def warning(check_id: str, message: str, **details: Any) -> CheckResult:
    """A check that passed with a caveat the reader should see."""
    return CheckResult(check_id, "warning", message, details=details)


def skipped(check_id: str, message: str) -> CheckResult:
    """A check that was not run (and does not count as passed)."""
    return CheckResult(check_id, "skipped", message)


def failed(check_id: str, message: str, code: str | None = None, **details: Any) -> CheckResult:
    """A failed check."""
    problem = f"https://satchel.dev/problems/{code}" if code else None
    return CheckResult(
        check_id, "failed", message, code=code, problem_type=problem, details=details
    )


def from_error(check_id: str, exc: SatchelError) -> CheckResult:
    """A failed check carrying the error's stable code and message."""
    details = {k: v for k, v in exc.details.items() if isinstance(v, str | int | float | bool)}
    return CheckResult(
        check_id,
        "failed",
        exc.message,
        code=exc.code,
        problem_type=exc.problem_type,
        details=details,
    )


def compute_verified(checks: list[CheckResult], nested: list[VerificationReport]) -> bool:
    """True only if a proof passed, nothing failed here, and every required nested report
    (all but advisory ones such as endorsements) verified."""
    proof_passed = any(c.id == "proof" and c.status in ("passed", "warning") for c in checks)
    no_failure = all(c.status != "failed" for c in checks)
    required = (n for n in nested if n.role not in ADVISORY_ROLES)
    return proof_passed and no_failure and all(n.verified for n in required)


_OUTCOME_BY_CODE: tuple[tuple[str, Outcome], ...] = (
    ("status.revoked", "revoked"),
    ("status.suspended", "suspended"),
    ("date.expired", "expired"),
    ("date.not-yet-valid", "not-yet-valid"),
)


def compute_outcome(
    verified: bool, checks: list[CheckResult], nested: list[VerificationReport]
) -> Outcome:
    """The one-word verdict: what a person should be told first.

    Anything failed that is not about status or dates makes the whole thing ``invalid``;
    otherwise the most serious of revoked, suspended, expired, not yet valid and
    "status could not be checked" wins. Required nested reports count as if they were
    checks here.
    """
    if verified:
        return "verified"
    failures = [c for c in checks if c.status == "failed"]
    codes = {c.code for c in failures}
    lifecycle = {code for code, _ in _OUTCOME_BY_CODE}
    status_unknown = {c.code for c in failures if c.id.startswith("status")} - lifecycle
    if any(c.code not in lifecycle and c.code not in status_unknown for c in failures):
        return "invalid"
    if not any(c.id == "proof" and c.status in ("passed", "warning") for c in checks):
        return "invalid"
    child_outcomes = {n.outcome for n in nested if n.role not in ADVISORY_ROLES and not n.verified}
    if "invalid" in child_outcomes:
        return "invalid"
    for code, outcome in _OUTCOME_BY_CODE:
        if code in codes or outcome in child_outcomes:
            return outcome
    return "status-unknown"
