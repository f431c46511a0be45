"""CLR 2.0 bundles: the nested credentials, their subjects and the associations."""

from __future__ import annotations

from typing import Any

from shared.shapes import as_list, id_of
from shared.verification.report import CheckResult, failed, passed, warning


def clr_subject(document: dict[str, Any]) -> dict[str, Any]:
    """The ``ClrSubject`` (the first credentialSubject object)."""
    subjects = [s for s in as_list(document.get("credentialSubject")) if isinstance(s, dict)]
    return subjects[0] if subjects else {}


def nested_items(document: dict[str, Any]) -> list[Any]:
    """The credentials bundled in a CLR (objects or JWT strings)."""
    return as_list(clr_subject(document).get("verifiableCredential"))


def is_learner_assembled(document: dict[str, Any]) -> bool:
    """A CLR issued by its own subject: the learner bundled it."""
    issuer = id_of(document.get("issuer"))
    return issuer is not None and issuer == id_of(clr_subject(document))


def bundle_checks(document: dict[str, Any]) -> list[CheckResult]:
    """Say who assembled the bundle and what the reader may trust."""
    if is_learner_assembled(document):
        return [
            passed(
                "clr-bundle",
                "Learner-assembled bundle: the learner signed it, so trust comes from each "
                "nested credential's own issuer, and the associations are the learner's claim.",
                assembled_by="learner",
            )
        ]
    return [
        passed(
            "clr-bundle",
            "Issued as a whole by the institution that signed it.",
            assembled_by="issuer",
        )
    ]


def _identities(subject: Any) -> set[str]:
    if not isinstance(subject, dict):
        return set()
    found: set[str] = set()
    ident = id_of(subject)
    if ident:
        found.add(ident)
    for item in as_list(subject.get("identifier")):
        if isinstance(item, dict) and isinstance(item.get("identityHash"), str):
            found.add(f"{item.get('identityType')}:{item['identityHash']}")
    return found


def subject_match_check(clr: dict[str, Any], nested_document: dict[str, Any]) -> CheckResult:
    """Compare a nested credential's subject with the ClrSubject."""
    expected = _identities(clr_subject(clr))
    got = set().union(*(_identities(s) for s in as_list(nested_document.get("credentialSubject"))))
    if not expected or not got:
        return warning(
            "clr-subject",
            "The subject of this credential could not be compared with the CLR's learner "
            "(one of them has no id or identifier).",
        )
    if expected & got:
        return passed("clr-subject", "Issued to the same learner as the CLR.")
    return warning(
        "clr-subject",
        f"Issued to {', '.join(sorted(got))}, not to the CLR's learner "
        f"({', '.join(sorted(expected))}).",
    )


def _known_ids(document: dict[str, Any], nested_documents: list[dict[str, Any]]) -> set[str]:
    ids: set[str] = set()
    subject = clr_subject(document)
    for achievement in as_list(subject.get("achievement")):
        if id_of(achievement):
            ids.add(id_of(achievement) or "")
    for doc in nested_documents:
        if id_of(doc):
            ids.add(id_of(doc) or "")
        for nested_subject in as_list(doc.get("credentialSubject")):
            if isinstance(nested_subject, dict):
                achievement_id = id_of(nested_subject.get("achievement"))
                if achievement_id:
                    ids.add(achievement_id)
    return ids


def association_checks(
    document: dict[str, Any], nested_documents: list[dict[str, Any]]
) -> list[CheckResult]:
    """Every association's sourceId and targetId must name something in the bundle."""
    associations = [a for a in as_list(clr_subject(document).get("association"))]
    if not associations:
        return []
    known = _known_ids(document, nested_documents)
    missing: list[str] = []
    for i, association in enumerate(associations):
        if not isinstance(association, dict):
            missing.append(f"association[{i}] is not an object")
            continue
        for end in ("sourceId", "targetId"):
            value = association.get(end)
            if not isinstance(value, str) or value not in known:
                missing.append(f"association[{i}].{end} {value!r}")
    if missing:
        return [
            failed(
                "clr-associations",
                "Associations point at achievements that are not in the bundle: "
                + "; ".join(missing)
                + ".",
                code="clr.association-unresolved",
            )
        ]
    who = "the learner's claim" if is_learner_assembled(document) else "stated by the issuer"
    return [
        passed(
            "clr-associations",
            f"All {len(associations)} associations link achievements in the bundle ({who}).",
        )
    ]
