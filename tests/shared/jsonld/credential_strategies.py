"""Hypothesis strategies for Open Badges 3.0 / CLR 2.0 credentials, valid and not quite.

They vary what the JSON-LD fast path must get exactly right: names (plain, language
value objects with directions), nested achievements, results, alignments, rubric
levels (an ``@list``), types (known and unknown), dates, numbers (big integers,
doubles, booleans), unicode (control characters, astral planes), identifiers
(absolute, relative, blank nodes) and, now and then, an undefined term or a proof.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB300 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
OB_EXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR201 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def rarely(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``rare`` about one time in 40, ``common`` otherwise."""
    # Hypothesis favours boundary values, so the rare branch is a value from the middle.
    return st.sampled_from(range(40)).flatmap(lambda n: rare if n == 17 else common)


V2_CONTEXTS = st.sampled_from([[VC2, OB303], [VC2, OB303, OB_EXT]])
CONTEXTS = rarely(
    V2_CONTEXTS,
    st.sampled_from(
        [
            [VC2, OB302],
            [VC1, OB300],
            [VC1, OB303],
            [VC2, OB303, "https://w3id.org/security/data-integrity/v2"],
        ]
    ),
)

text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),
    max_size=24,
)
plain = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC-_ .é日😀", min_size=1, max_size=12)
languages = st.sampled_from(["en", "en-US", "EN-gb", "fr", "de-CH", "zh-Hant-TW", "x-klingon"])
directions = st.sampled_from(["ltr", "rtl"])

absolute_ids = st.one_of(
    st.builds(lambda s: f"https://example.org/{s}", st.integers(0, 5)),
    st.builds(lambda s: f"urn:uuid:00000000-0000-4000-8000-{s:012d}", st.integers(0, 5)),
    st.builds(lambda s: f"did:example:{s}", st.integers(0, 3)),
)
ids = rarely(
    st.one_of(absolute_ids, absolute_ids, st.just("_:b7")),
    st.sampled_from(["relative/path", "@ignoreMe"]),
)


def _value_object(value: str, language: str | None, direction: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"@value": value}
    if language is not None:
        out["@language"] = language
    if direction is not None:
        out["@direction"] = direction
    return out


language_value = st.builds(
    _value_object, text, st.none() | languages, st.none() | st.none() | directions
)
names = st.one_of(text, text, language_value, st.lists(language_value, min_size=1, max_size=3))

numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.sampled_from([0, 1, 1.0, 2.5, 1e21, 1e-7, 2**53 + 1, -0.0]),
)
dates = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.datetimes().map(lambda d: d.isoformat(timespec="seconds") + "+02:00"),
    text,
)


def _typed(kind: str) -> st.SearchStrategy[Any]:
    return rarely(st.sampled_from([[kind], kind]), st.just([kind, "UnknownType"]))


def _optional(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(required, optional=optional)


alignment = _optional(
    {"type": _typed("Alignment"), "targetName": text, "targetUrl": absolute_ids},
    {
        "targetType": st.sampled_from(["CFItem", "CTDL", "ceterms:Credential", "ext:Custom"]),
        "targetCode": text,
        "targetDescription": names,
    },
)
rubric_level = _optional(
    {"id": ids, "type": _typed("RubricCriterionLevel"), "name": names},
    {"level": text, "points": text, "alignment": st.lists(alignment, max_size=2)},
)
result_description = _optional(
    {"id": ids, "type": _typed("ResultDescription"), "name": names},
    {
        "resultType": st.sampled_from(["GradePointAverage", "LetterGrade", "ext:Other"]),
        "allowedValue": st.lists(text, max_size=4),
        "rubricCriterionLevel": st.lists(rubric_level, max_size=3),
        "valueMax": text,
        "requiredLevel": absolute_ids,
    },
)
result = _optional(
    {"type": _typed("Result")},
    {
        "value": text,
        "status": st.sampled_from(["Completed", "Enrolled", "Failed", "OnHold", "Withdrew"]),
        "achievedLevel": absolute_ids,
        "resultDescription": absolute_ids,
        "alignment": st.lists(alignment, max_size=2),
    },
)
profile = _optional(
    {"id": ids, "type": _typed("Profile")},
    {"name": names, "url": absolute_ids, "email": plain, "phone": plain},
)
related = _optional(
    {"id": ids, "type": _typed("Related")}, {"version": text, "inLanguage": languages}
)
achievement = _optional(
    {
        "id": ids,
        "type": _typed("Achievement"),
        "name": names,
        "criteria": _optional({}, {"narrative": text, "id": absolute_ids}),
    },
    {
        "description": names,
        "achievementType": st.sampled_from(["Badge", "Certificate", "ext:Custom", "Degree"]),
        "alignment": st.lists(alignment, max_size=3),
        "creator": profile,
        "creditsAvailable": numbers,
        "humanCode": text,
        "tag": st.lists(text, max_size=3),
        "resultDescription": st.lists(result_description, max_size=2),
        "related": st.lists(related, max_size=2),
        "version": text,
        "inLanguage": languages,
        "image": _optional({"id": absolute_ids, "type": st.just("Image")}, {"caption": names}),
    },
)
subject = _optional(
    {"type": _typed("AchievementSubject"), "achievement": achievement},
    {
        "id": ids,
        "result": st.lists(result, max_size=3),
        "creditsEarned": numbers,
        "activityStartDate": dates,
        "activityEndDate": dates,
        "role": text,
        "term": text,
        "licenseNumber": text,
    },
)
proof = _optional(
    {
        "type": st.just("DataIntegrityProof"),
        "cryptosuite": st.just("eddsa-rdfc-2022"),
        "proofPurpose": st.just("assertionMethod"),
        "verificationMethod": st.just("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q#k"),
    },
    {"created": dates, "proofValue": plain},
)
undefined_terms = st.sampled_from(["favouriteColour", "@ignored", "ünknown", "x"])


def _credential(
    context: list[str],
    ident: str,
    types: Any,
    issuer: Any,
    valid_from: str,
    name: Any,
    subj: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": context,
        "id": ident,
        "type": types,
        "issuer": issuer,
        "validFrom" if context[0] == VC2 else "issuanceDate": valid_from,
        "name": name,
        "credentialSubject": subj,
    }
    doc.update(extra)
    return doc


credential_types = rarely(
    st.sampled_from(
        [
            ["VerifiableCredential", "OpenBadgeCredential"],
            ["VerifiableCredential", "AchievementCredential"],
            "VerifiableCredential",
        ]
    ),
    st.just(["VerifiableCredential", "OpenBadgeCredential", "UnknownCredential"]),
)


def credentials_with(contexts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[Any]:
    """Credentials whose ``@context`` is drawn from ``contexts``."""
    return st.builds(
        _credential,
        contexts,
        ids,
        credential_types,
        st.one_of(absolute_ids, profile),
        dates,
        names,
        subject,
        st.fixed_dictionaries(
            {},
            optional={
                "description": names,
                "proof": proof,
                "validUntil": dates,
                "awardedDate": dates,
                "evidence": st.lists(
                    _optional(
                        {"type": _typed("Evidence")}, {"id": absolute_ids, "narrative": text}
                    ),
                    max_size=2,
                ),
            },
        ),
    )


credentials = credentials_with(CONTEXTS)


def _with_undefined(doc: dict[str, Any], key: str, where: int) -> dict[str, Any]:
    if where == 0:
        return {**doc, key: "surprise"}
    subject = dict(doc["credentialSubject"])
    subject[key] = {"nested": True}
    return {**doc, "credentialSubject": subject}


def _clr(creds: list[dict[str, Any]], ident: str) -> dict[str, Any]:
    return {
        "@context": [VC2, CLR201, OB303],
        "id": ident,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Registrar"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "verifiableCredential": creds,
        },
    }


_broken = st.builds(_with_undefined, credentials, undefined_terms, st.integers(0, 1))
_clrs = st.builds(
    _clr, st.lists(credentials_with(V2_CONTEXTS), min_size=1, max_size=3), absolute_ids
)
# About 70 % plain credentials, 20 % CLRs holding credentials, 10 % with an undefined term.
documents = st.sampled_from(range(10)).flatmap(
    lambda n: _broken if n == 4 else _clrs if n in (2, 7) else credentials
)
