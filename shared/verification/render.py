"""Plain-text rendering of a verification report (the CLI's human output)."""

from __future__ import annotations

from shared.verification.report import VerificationReport

_MARK = {"passed": "ok  ", "failed": "FAIL", "warning": "warn", "skipped": "skip"}
_REASON = {
    "revoked": " (REVOKED)",
    "suspended": " (SUSPENDED)",
    "expired": " (EXPIRED)",
    "not-yet-valid": " (NOT YET VALID)",
    "status-unknown": " (STATUS COULD NOT BE CHECKED)",
}


def headline(report: VerificationReport) -> str:
    """One line: the verdict and what was verified."""
    s = report.summary
    what = (
        s.achievement_name or s.name or s.subject_name or (s.types[-1] if s.types else report.kind)
    )
    if report.verified:
        parts = [f"VERIFIED {report.kind}"]
    else:
        reason = _REASON.get(report.outcome or "invalid", "")
        parts = [f"NOT VERIFIED{reason} {report.kind}"]
    if what and what != report.kind:
        parts.append(f"'{what}'")
    if s.issuer_name or s.issuer_id:
        parts.append(f"issued by {s.issuer_name or s.issuer_id}")
    return " ".join(parts) + f" [{report.format}]"


def render_text(report: VerificationReport, indent: str = "") -> str:
    """Every check with its outcome and message; nested reports indented."""
    role = f"[{report.role}] " if report.role == "endorsement" else ""
    lines = [indent + role + (f"{report.label}: " if report.label else "") + headline(report)]
    for check in report.checks:
        lines.append(f"{indent}  [{_MARK[check.status]}] {check.id:<16} {check.message}")
    for child in report.nested:
        lines.append(render_text(child, indent + "    "))
    return "\n".join(lines)
