"""The verification pipeline: one entry point, one report.

``verify(document)`` takes a parsed credential/presentation or a JWT string
and runs every check in order, turning the typed errors raised inside
``shared`` into check results. Nothing here returns a bare bool.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.did import ResolveContext
from shared.errors import InputError, SatchelError
from shared.jsonld.expand import safe_expand
from shared.proofs import ProofOutcome, ProofPolicy, verify_proofs
from shared.schema import validate_credential_schemas
from shared.shapes import as_list, id_of
from shared.status import StatusContext, StatusOutcome, check_credential_status
from shared.verification import clr, openbadges
from shared.verification.binding import holder_binding_check
from shared.verification.dates import iso, parse_datetime
from shared.verification.parse import InputLimits, depth_of, looks_like_jwt
from shared.verification.report import (
    CheckResult,
    Summary,
    VerificationReport,
    compute_outcome,
    compute_verified,
    failed,
    from_error,
    passed,
    skipped,
    warning,
)
from shared.verification.trust import TrustList, trust_checks

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"

# Check ids whose failure comes from the proof's verification method, by error code prefix.
_KEY_CODES = ("did.", "key.", "proof.verification-method", "proof.controller-mismatch")


@dataclass
class VerifyOptions:
    """Everything a verification may be told: expectations, clock, policy, limits."""

    challenge: str | None = None
    domain: str | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    clock_skew: timedelta = timedelta(minutes=5)
    limits: InputLimits = field(default_factory=InputLimits)
    proof_policy: ProofPolicy = field(default_factory=ProofPolicy)
    resolve: ResolveContext = field(default_factory=ResolveContext)
    # Treat a status that could not be checked as a warning instead of a failure.
    accept_unknown_status: bool = False
    # The email the credential is expected to be issued to (Open Badges identityHash).
    recipient_email: str | None = None
    # Issuers the verifying party recognises (advice: an unknown issuer is a warning).
    trust_lists: list[TrustList] = field(default_factory=list)
    # How deep credentials may nest (presentation → CLR → credential → endorsement).
    max_nesting: int = 4


# A verified item: its report and, when it could be read, the credential/presentation itself.
Verified = tuple[VerificationReport, dict[str, Any] | None]


def _types(document: dict[str, Any]) -> list[str]:
    return [t for t in as_list(document.get("type")) if isinstance(t, str)]


def _name_of(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return name
        if isinstance(name, dict):  # language map / value object
            text = name.get("@value") or next(iter(name.values()), None)
            return text if isinstance(text, str) else None
    return None


def summarize(document: dict[str, Any]) -> Summary:
    """The display summary of a credential or presentation."""
    subject = as_list(document.get("credentialSubject"))
    first = subject[0] if subject and isinstance(subject[0], dict) else {}
    achievement = first.get("achievement") if isinstance(first, dict) else None
    return Summary(
        types=_types(document),
        name=_name_of(document),
        issuer_id=id_of(document.get("issuer")),
        issuer_name=_name_of(document.get("issuer")),
        holder=id_of(document.get("holder")),
        subject_id=id_of(first) if first else None,
        subject_name=_name_of(first),
        achievement_name=_name_of(achievement),
        valid_from=document.get("validFrom") or document.get("issuanceDate"),
        valid_until=document.get("validUntil") or document.get("expirationDate"),
        bundle=(
            ("learner-assembled" if clr.is_learner_assembled(document) else "issuer-assembled")
            if openbadges.is_clr(document)
            else None
        ),
    )


def _syntax_checks(document: dict[str, Any], kind: str) -> list[CheckResult]:
    contexts = as_list(document.get("@context"))
    problems: list[str] = []
    if not contexts or contexts[0] not in (VC_V1, VC_V2):
        problems.append(f"the first @context must be {VC_V2} (or {VC_V1})")
    wanted = "VerifiableCredential" if kind == "credential" else "VerifiablePresentation"
    if wanted not in _types(document):
        problems.append(f"type must include {wanted}")
    if kind == "credential":
        if id_of(document.get("issuer")) is None:
            problems.append("issuer (a URL, or an object with an id) is required")
        if not as_list(document.get("credentialSubject")):
            problems.append("credentialSubject is required")
        if contexts and contexts[0] == VC_V1 and "issuanceDate" not in document:
            problems.append("issuanceDate is required by VCDM 1.1")
    if "id" in document and not _is_url(document["id"]):
        problems.append("id must be a URL")
    if problems:
        return [
            failed(
                "syntax",
                "Not a well-formed " + kind + ": " + "; ".join(problems) + ".",
                code="syntax.invalid",
            )
        ]
    version = "2.0" if contexts[0] == VC_V2 else "1.1"
    return [passed("syntax", f"Well-formed VCDM {version} {kind}.")]


def _is_url(value: Any) -> bool:
    if not isinstance(value, str) or ":" not in value:
        return False
    scheme = urllib.parse.urlsplit(value).scheme
    return bool(scheme) and scheme[0].isalpha()


def _context_check(document: dict[str, Any]) -> CheckResult:
    try:
        safe_expand(document)
    except SatchelError as exc:
        return from_error("context", exc)
    return passed("context", "Every term is defined by a known, bundled JSON-LD context.")


def _date_checks(document: dict[str, Any], options: VerifyOptions) -> list[CheckResult]:
    now = options.now()
    skew = options.clock_skew
    v1 = as_list(document.get("@context"))[:1] == [VC_V1]
    start_field, end_field = (
        ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    )
    results: list[CheckResult] = []
    try:
        start = (
            parse_datetime(document[start_field], field=start_field)
            if start_field in document
            else None
        )
        end = (
            parse_datetime(document[end_field], field=end_field) if end_field in document else None
        )
    except InputError as exc:
        return [from_error("valid-from", exc)]
    if start and end and start > end:
        return [
            failed(
                "valid-from",
                f"{start_field} is after {end_field}: the dates are malformed.",
                code="date.inverted",
            )
        ]
    if start is None:
        results.append(skipped("valid-from", f"No {start_field}: valid from any time."))
    elif start - skew > now:
        results.append(
            failed(
                "valid-from",
                f"Not yet valid: valid from {iso(start)}.",
                code="date.not-yet-valid",
                valid_from=iso(start),
            )
        )
    else:
        results.append(passed("valid-from", f"Valid since {iso(start)}."))
    if end is None:
        results.append(passed("valid-until", "No expiry date."))
    elif end + skew < now:
        results.append(
            failed(
                "valid-until", f"Expired on {iso(end)}.", code="date.expired", valid_until=iso(end)
            )
        )
    else:
        results.append(passed("valid-until", f"Valid until {iso(end)}."))
    return results


def _proof_date_checks(outcome: ProofOutcome, options: VerifyOptions) -> list[CheckResult]:
    now = options.now()
    results: list[CheckResult] = []
    try:
        if outcome.created is not None:
            created = parse_datetime(outcome.created, field="proof.created")
            if created - options.clock_skew > now:
                results.append(
                    failed(
                        "proof-created",
                        f"The proof was created in the future ({iso(created)}).",
                        code="proof.created-in-future",
                    )
                )
        if outcome.expires is not None:
            expires = parse_datetime(outcome.expires, field="proof.expires")
            if expires + options.clock_skew < now:
                results.append(
                    failed(
                        "proof-expires",
                        f"The proof expired on {iso(expires)}.",
                        code="proof.expired",
                    )
                )
    except InputError as exc:
        results.append(from_error("proof-created", exc))
    return results


def _proof_checks(
    outcomes: list[ProofOutcome], signer_id: str | None, signer_role: str, options: VerifyOptions
) -> list[CheckResult]:
    results: list[CheckResult] = []
    for outcome in outcomes:
        label = outcome.cryptosuite or outcome.proof_type
        where = {
            "proof_index": outcome.index,
            "cryptosuite": label,
            "verification_method": outcome.verification_method,
        }
        err = outcome.error
        if err is not None:
            if err.code.startswith(_KEY_CODES):
                results.append(from_error("issuer-key", err))
                results.append(
                    failed(
                        "proof",
                        f"The {label} proof could not be checked: its key could not be confirmed.",
                        code="proof.unverifiable",
                        **where,
                    )
                )
            elif err.code == "proof.purpose-mismatch":
                results.append(from_error("proof-purpose", err))
                results.append(
                    failed(
                        "proof",
                        f"The {label} proof is not valid for this use.",
                        code=err.code,
                        **where,
                    )
                )
            else:
                fail = from_error("proof", err)
                fail.details.update(where)
                results.append(fail)
            continue
        for note in outcome.warnings:
            results.append(warning("proof", note, **where))
        results.append(passed("proof", f"The {label} signature is valid.", **where))
        if signer_id is not None and outcome.controller != signer_id:
            results.append(
                failed(
                    "issuer-key",
                    f"The proof was made with a key of {outcome.controller}, "
                    f"not of the {signer_role} {signer_id}.",
                    code="proof.signer-mismatch",
                )
            )
        else:
            results.append(
                passed(
                    "issuer-key", f"The key belongs to the {signer_role} ({outcome.controller})."
                )
            )
        results.extend(_proof_date_checks(outcome, options))
    return results


async def _ldp_checks(
    document: dict[str, Any], kind: str, options: VerifyOptions
) -> tuple[list[CheckResult], list[ProofOutcome], str]:
    """Syntax, JSON-LD safety and every proof of a credential or presentation.

    Returns the checks, the proof outcomes and the report's format label.
    """
    purpose, role = (
        ("assertionMethod", "issuer") if kind == "credential" else ("authentication", "holder")
    )
    checks = _syntax_checks(document, kind)
    checks.append(_context_check(document))
    try:
        outcomes = await verify_proofs(
            document, purpose=purpose, ctx=options.resolve, policy=options.proof_policy
        )
    except SatchelError as exc:
        checks.append(from_error("proof", exc))
        return checks, [], "ldp (none)"
    checks.extend(_proof_checks(outcomes, id_of(document.get(role)), role, options))
    suites = ",".join(sorted({o.cryptosuite or o.proof_type for o in outcomes}))
    return checks, outcomes, f"ldp ({suites})"


async def _verify_ldp_credential(
    document: dict[str, Any], options: VerifyOptions, label: str | None, depth: int
) -> VerificationReport:
    checks, _, fmt = await _ldp_checks(document, "credential", options)
    checks.extend(_date_checks(document, options))
    rule_checks, nested = await _credential_rule_checks(document, options, depth)
    checks.extend(rule_checks)
    return _report("credential", fmt, checks, nested, document, label, options)


async def _credential_rule_checks(
    document: dict[str, Any], options: VerifyOptions, depth: int
) -> tuple[list[CheckResult], list[VerificationReport]]:
    """Checks on a credential's content and the credentials nested in it.

    Open Badges / CLR structure and recipient, status (revocation/suspension), JSON
    Schema, issuer trust, endorsements (advisory nested reports) and, for a CLR, every
    bundled credential (required nested reports) with its subject and associations.
    """
    checks = [
        *openbadges.context_order_checks(document),
        *openbadges.subject_checks(document),
        *openbadges.recipient_checks(document, options.recipient_email),
        *await _status_checks(document, options),
        *_schema_checks(document),
        *trust_checks(id_of(document.get("issuer")), options.trust_lists),
        *openbadges.refresh_service_checks(document),
    ]
    nested: list[VerificationReport] = []
    endorsement_checks, endorsements = await _endorsements(document, options, depth)
    checks.extend(endorsement_checks)
    if openbadges.is_clr(document):
        clr_checks, bundled = await _clr_credentials(document, options, depth)
        checks.extend(clr_checks)
        nested.extend(bundled)
    nested.extend(endorsements)
    return checks, nested


async def _endorsements(
    document: dict[str, Any], options: VerifyOptions, depth: int
) -> tuple[list[CheckResult], list[VerificationReport]]:
    items = openbadges.endorsement_items(document)
    if not items:
        return [], []
    reports: list[VerificationReport] = []
    for path, item in items:
        report, _ = await _verify_nested(item, options, path, depth, role="endorsement")
        reports.append(report)
    good = sum(r.verified for r in reports)
    if good == len(reports):
        return [passed("endorsements", f"All {good} endorsements verified.")], reports
    return [
        warning(
            "endorsements",
            f"{len(reports) - good} of {len(reports)} endorsements could not be verified; "
            "they are shown but do not count.",
        )
    ], reports


async def _clr_credentials(
    document: dict[str, Any], options: VerifyOptions, depth: int
) -> tuple[list[CheckResult], list[VerificationReport]]:
    items = _within_limit(clr.nested_items(document), "CLR", options)
    checks = clr.bundle_checks(document)
    if not items:
        checks.append(
            failed("clr-credentials", "The CLR bundles no credentials.", code="clr.empty")
        )
        return checks, []
    reports: list[VerificationReport] = []
    documents: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        label = f"credentialSubject.verifiableCredential[{i}]"
        report, nested_doc = await _verify_nested(item, options, label, depth, "clr-credential")
        if nested_doc is not None:
            documents.append(nested_doc)
            report.checks.append(clr.subject_match_check(document, nested_doc))
        reports.append(report)
    good = sum(r.verified for r in reports)
    if good == len(reports):
        checks.append(
            passed("clr-credentials", f"All {good} bundled credentials verified on their own.")
        )
    else:
        checks.append(
            failed(
                "clr-credentials",
                f"{len(reports) - good} of {len(reports)} bundled credentials did not verify.",
                code="clr.nested-failed",
            )
        )
    checks.extend(clr.association_checks(document, documents))
    return checks, reports


def _within_limit(items: list[Any], holder: str, options: VerifyOptions) -> list[Any]:
    """``items`` unless there are more credentials than the input limits allow."""
    if len(items) > options.limits.max_credentials:
        raise InputError(
            f"The {holder} holds {len(items)} credentials; the limit is "
            f"{options.limits.max_credentials}.",
            code="input.too-many-credentials",
        )
    return items


async def _verify_nested(
    item: Any, options: VerifyOptions, label: str, depth: int, role: str
) -> Verified:
    """Verify a credential nested one level deeper (refused past ``max_nesting``)."""
    if depth + 1 > options.max_nesting:
        report = _unusable(
            InputError(
                f"Nested more than {options.max_nesting} levels deep; not verified.",
                code="input.too-deep",
            ),
            label,
            options,
        )
        report.role = role
        return report, None
    report, document = await _verify_any(item, options, label, "credential", depth + 1)
    report.role = role
    return report, document


async def _status_checks(document: dict[str, Any], options: VerifyOptions) -> list[CheckResult]:
    if document.get("credentialStatus") in (None, []):
        return [skipped("status", "The credential has no status entry.")]
    ctx = StatusContext(
        fetcher=options.resolve.get_fetcher(),
        now=options.now,
        resolve=options.resolve,
        proof_policy=options.proof_policy,
        clock_skew=options.clock_skew,
    )
    outcomes = await check_credential_status(document, ctx)
    return [_status_check(o, options) for o in outcomes]


def _status_check(outcome: StatusOutcome, options: VerifyOptions) -> CheckResult:
    known = ("revocation", "suspension", "message")
    check_id = f"status.{outcome.purpose}" if outcome.purpose in known else "status"
    details: dict[str, Any] = {"type": outcome.entry_type}
    if outcome.list_url is not None:
        details["status_list"] = outcome.list_url
    if outcome.index is not None:
        details["index"] = outcome.index
    if outcome.state in ("unavailable", "unsupported"):
        if options.accept_unknown_status:
            return CheckResult(
                check_id, "warning", outcome.message, code=outcome.code, details=details
            )
        return failed(check_id, outcome.message, code=outcome.code, **details)
    when = iso(outcome.fetched_at) if outcome.fetched_at is not None else "an unknown time"
    cached = ", from cache" if outcome.from_cache else ""
    text = f"{outcome.message} (list fetched at {when}{cached})"
    if outcome.state == "set":
        return failed(
            check_id, f"{text}: the issuer has marked it so.", code=outcome.code, **details
        )
    if outcome.warnings:
        return warning(check_id, f"{text}; " + " ".join(outcome.warnings), **details)
    return passed(check_id, text, **details)


def _schema_checks(document: dict[str, Any]) -> list[CheckResult]:
    outcomes = validate_credential_schemas(document)
    if not outcomes:
        return [skipped("schema", "The credential names no JSON Schema.")]
    results: list[CheckResult] = []
    for outcome in outcomes:
        details: dict[str, Any] = {"schema": outcome.schema_id}
        if outcome.errors:
            details["errors"] = list(outcome.errors)
        if outcome.status == "failed":
            results.append(failed("schema", outcome.message, code=outcome.code, **details))
        elif outcome.status == "warning":
            results.append(warning("schema", outcome.message, **details))
        else:
            results.append(passed("schema", outcome.message, **details))
    return results


def _report(
    kind: str,
    fmt: str,
    checks: list[CheckResult],
    nested: list[VerificationReport],
    document: dict[str, Any],
    label: str | None,
    options: VerifyOptions,
) -> VerificationReport:
    verified = compute_verified(checks, nested)
    return VerificationReport(
        verified=verified,
        kind=kind,  # type: ignore[arg-type]
        format=fmt,
        checks=checks,
        summary=summarize(document),
        nested=nested,
        label=label,
        checked_at=iso(options.now()),
        outcome=compute_outcome(verified, checks, nested),
    )


async def _verify_jwt(
    token: str, options: VerifyOptions, label: str | None, expect: str | None, depth: int
) -> Verified:
    from shared.jose import verify_jwt

    try:
        result = await verify_jwt(token, options.resolve)
    except SatchelError as exc:
        check = from_error("issuer-key" if exc.code == "jose.kid-unresolved" else "proof", exc)
        failures = (
            [check]
            if check.id == "proof"
            else [check, failed("proof", "The JWT signature could not be checked.", code=exc.code)]
        )
        return VerificationReport(
            verified=False,
            kind="unknown",
            format="jwt",
            checks=failures,
            label=label,
            checked_at=iso(options.now()),
        ), None
    document = result.document
    kind = result.kind
    checks: list[CheckResult] = []
    if expect and kind != expect:
        checks.append(failed("syntax", f"Expected a {expect}, got a {kind}.", code="syntax.kind"))
    checks.extend(_syntax_checks(document, kind))
    for note in result.warnings:
        checks.append(warning("proof", note))
    checks.append(
        passed(
            "proof",
            f"The {result.alg} JWT signature is valid.",
            verification_method=result.verification_method,
        )
    )
    checks.append(
        passed(
            "issuer-key",
            f"The key belongs to the "
            f"{'issuer' if kind == 'credential' else 'holder'} ({result.issuer}).",
        )
    )
    nested: list[VerificationReport] = []
    if kind == "credential":
        checks.extend(_date_checks(document, options))
        checks.extend(_jwt_time_checks(result.not_before, result.expires, options))
        rule_checks, nested = await _credential_rule_checks(document, options, depth)
        checks.extend(rule_checks)
    else:
        checks.extend(
            _presentation_checks(
                document,
                options,
                jwt_nonce=result.claims.get("nonce"),
                jwt_aud=result.claims.get("aud"),
            )
        )
        nested = await _nested_credentials(document, options, depth)
    fmt = f"jwt ({result.format})"
    return _report(kind, fmt, checks, nested, document, label, options), document


def _jwt_time_checks(
    nbf: datetime | None, exp: datetime | None, options: VerifyOptions
) -> list[CheckResult]:
    now = options.now()
    results: list[CheckResult] = []
    if nbf is not None and nbf - options.clock_skew > now:
        results.append(
            failed(
                "valid-from", f"The JWT is not valid before {iso(nbf)}.", code="date.not-yet-valid"
            )
        )
    if exp is not None and exp + options.clock_skew < now:
        results.append(
            failed("valid-until", f"The JWT expired on {iso(exp)}.", code="date.expired")
        )
    return results


def _presentation_checks(
    document: dict[str, Any],
    options: VerifyOptions,
    *,
    proof_challenge: Any = None,
    proof_domain: Any = None,
    jwt_nonce: Any = None,
    jwt_aud: Any = None,
) -> list[CheckResult]:
    results: list[CheckResult] = []
    got_challenge = proof_challenge if proof_challenge is not None else jwt_nonce
    got_domain = proof_domain if proof_domain is not None else jwt_aud
    if options.challenge is not None:
        if got_challenge == options.challenge:
            results.append(passed("challenge", "The presentation answers the expected challenge."))
        else:
            results.append(
                failed(
                    "challenge",
                    "The presentation's challenge is not the one expected (it may be a replay).",
                    code="presentation.challenge-mismatch",
                )
            )
    elif got_challenge is not None:
        results.append(
            warning(
                "challenge",
                "The presentation carries a challenge, but none was "
                "expected, so replay protection was not checked.",
            )
        )
    if options.domain is not None:
        domains = as_list(got_domain)
        if options.domain in domains:
            results.append(passed("domain", f"The presentation is bound to {options.domain}."))
        else:
            results.append(
                failed(
                    "domain",
                    f"The presentation is not bound to {options.domain}.",
                    code="presentation.domain-mismatch",
                )
            )
    return results


async def _nested_credentials(
    document: dict[str, Any], options: VerifyOptions, depth: int
) -> list[VerificationReport]:
    items = _within_limit(as_list(document.get("verifiableCredential")), "presentation", options)
    holder = id_of(document.get("holder"))
    reports: list[VerificationReport] = []
    for i, item in enumerate(items):
        label = f"verifiableCredential[{i}]"
        report, credential = await _verify_nested(item, options, label, depth, "credential")
        if credential is not None:
            report.checks.append(holder_binding_check(credential, holder))
        reports.append(report)
    return reports


async def _verify_ldp_presentation(
    document: dict[str, Any], options: VerifyOptions, label: str | None, depth: int
) -> VerificationReport:
    checks, outcomes, fmt = await _ldp_checks(document, "presentation", options)
    challenge = next((o.challenge for o in outcomes if o.challenge is not None), None)
    domain = next((o.domain for o in outcomes if o.domain is not None), None)
    checks.extend(
        _presentation_checks(document, options, proof_challenge=challenge, proof_domain=domain)
    )
    nested = await _nested_credentials(document, options, depth)
    return _report("presentation", fmt, checks, nested, document, label, options)


async def _verify_any(
    item: Any,
    options: VerifyOptions,
    label: str | None,
    expect: str | None = None,
    depth: int = 0,
) -> Verified:
    if isinstance(item, str):
        if looks_like_jwt(item):
            return await _verify_jwt(item.strip(), options, label, expect, depth)
        return _unusable(
            InputError("A string that is not a JWT.", code="input.not-jwt"), label, options
        ), None
    if not isinstance(item, dict):
        return _unusable(
            InputError("Expected a JSON object or a JWT.", code="input.not-object"), label, options
        ), None
    if "EnvelopedVerifiableCredential" in _types(
        item
    ) or "EnvelopedVerifiablePresentation" in _types(item):
        token = _unwrap_envelope(item)
        if token is None:
            return _unusable(
                InputError(
                    "The enveloped credential's id is not a data: URL holding a JWT.",
                    code="input.bad-envelope",
                ),
                label,
                options,
            ), None
        return await _verify_jwt(token, options, label, expect, depth)
    try:
        depth_of(item, options.limits.max_depth)
    except InputError as exc:
        return _unusable(exc, label, options), None
    if "VerifiablePresentation" in _types(item):
        return await _verify_ldp_presentation(item, options, label, depth), item
    return await _verify_ldp_credential(item, options, label, depth), item


def _unwrap_envelope(item: dict[str, Any]) -> str | None:
    ident = item.get("id")
    if not isinstance(ident, str) or not ident.startswith("data:"):
        return None
    header, _, payload = ident[5:].partition(",")
    media = header.split(";")[0]
    if media not in (
        "application/vc+jwt",
        "application/vp+jwt",
        "application/jwt",
        "application/vc-ld+jwt",
        "application/vp-ld+jwt",
    ):
        return None
    token = urllib.parse.unquote(payload)
    return token if looks_like_jwt(token) else None


def _unusable(exc: SatchelError, label: str | None, options: VerifyOptions) -> VerificationReport:
    return VerificationReport(
        verified=False,
        kind="unknown",
        format="unknown",
        checks=[from_error("syntax", exc)],
        label=label,
        checked_at=iso(options.now()),
    )


async def verify(
    document: dict[str, Any] | str,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    options: VerifyOptions | None = None,
) -> VerificationReport:
    """Verify a credential or presentation (parsed JSON-LD or a JWT string)."""
    options = options or VerifyOptions()
    if challenge is not None:
        options.challenge = challenge
    if domain is not None:
        options.domain = domain
    try:
        report, _ = await _verify_any(document, options, None)
        return report
    except SatchelError as exc:
        return _unusable(exc, None, options)
