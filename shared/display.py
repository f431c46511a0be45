"""What a person is shown of a credential: the Open Badges Displayer's fields, and skills.

``display_fields(document)`` reads a credential (JSON-LD, or a VC-JWT whose
claims are decoded without judging the signature: call it on what the pipeline
has verified) and returns plain JSON: name, description, image, issuer, dates,
status, achievement (criteria, alignments, result descriptions), results,
evidence and endorsements. ``skills_of`` lists the competencies a credential's
achievement aligns to, with the level reached where a result names one.
Reading never raises on odd shapes: a field that is not what OB 3.0 says is
left out.
"""

from __future__ import annotations

from typing import Any

from shared.errors import SatchelError
from shared.shapes import as_list, id_of

_ALIGNMENT_FIELDS = (
    "targetName",
    "targetUrl",
    "targetFramework",
    "targetCode",
    "targetType",
    "targetDescription",
)


def text_of(value: Any) -> str | None:
    """A display string from a string, a language map or a JSON-LD value object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("@value"), str):
            return str(value["@value"])
        for key in ("en", "en-US", "en-GB"):
            if isinstance(value.get(key), str):
                return str(value[key])
        first = next((v for v in value.values() if isinstance(v, str)), None)
        return first
    return None


def _image_of(value: Any) -> dict[str, str] | None:
    ident = id_of(value)
    if ident is None:
        return None
    image = {"url": ident}
    caption = text_of(value.get("caption")) if isinstance(value, dict) else None
    if caption:
        image["caption"] = caption
    return image


def _profile(value: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    ident = id_of(value)
    if ident:
        profile["id"] = ident
    if isinstance(value, dict):
        for key in ("name", "url", "email", "description"):
            text = text_of(value.get(key))
            if text:
                profile[key] = text
        image = _image_of(value.get("image"))
        if image:
            profile["image"] = image
    return profile


def _alignments(value: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in as_list(value):
        if not isinstance(item, dict):
            continue
        alignment = {k: t for k in _ALIGNMENT_FIELDS if (t := text_of(item.get(k)))}
        if alignment.get("targetName"):
            out.append(alignment)
    return out


def _levels(value: Any) -> list[dict[str, str]]:
    levels: list[dict[str, str]] = []
    for item in as_list(value):
        if isinstance(item, dict):
            level = {k: t for k in ("id", "name", "description") if (t := text_of(item.get(k)))}
            if level:
                levels.append(level)
    return levels


def _result_descriptions(value: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in as_list(value):
        if not isinstance(item, dict):
            continue
        entry: dict[str, Any] = {
            k: t for k in ("id", "name", "resultType") if (t := text_of(item.get(k)))
        }
        allowed = [t for v in as_list(item.get("allowedValue")) if (t := text_of(v))]
        if allowed:
            entry["allowedValue"] = allowed
        levels = _levels(item.get("rubricCriterionLevel"))
        if levels:
            entry["levels"] = levels
        alignments = _alignments(item.get("alignment"))
        if alignments:
            entry["alignments"] = alignments
        if entry:
            out.append(entry)
    return out


def _level_names(achievement: Any) -> dict[str, str]:
    """Rubric level id -> name, over every result description of an achievement."""
    names: dict[str, str] = {}
    if isinstance(achievement, dict):
        for description in as_list(achievement.get("resultDescription")):
            if isinstance(description, dict):
                for level in _levels(description.get("rubricCriterionLevel")):
                    if "id" in level and "name" in level:
                        names[level["id"]] = level["name"]
    return names


def _results(value: Any, level_names: dict[str, str] | None = None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in as_list(value):
        if not isinstance(item, dict):
            continue
        keys = ("resultDescription", "value", "status", "achievedLevel")
        result = {k: t for k in keys if (t := text_of(item.get(k)))}
        level = (level_names or {}).get(result.get("achievedLevel", ""))
        if level:
            result["achievedLevelName"] = level
        if result:
            out.append(result)
    return out


def _evidence(value: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in as_list(value):
        if not isinstance(item, dict):
            continue
        keys = ("id", "name", "description", "narrative", "genre", "audience")
        evidence = {k: t for k in keys if (t := text_of(item.get(k)))}
        if evidence:
            out.append(evidence)
    return out


def _endorsements(*values: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for value in values:
        for item in as_list(value):
            if not isinstance(item, dict):
                continue
            subject: Any = next(iter(as_list(item.get("credentialSubject"))), {})
            comment = (
                text_of(subject.get("endorsementComment")) if isinstance(subject, dict) else None
            )
            entry: dict[str, Any] = {"issuer": _profile(item.get("issuer"))}
            for key, text in (("name", text_of(item.get("name"))), ("comment", comment)):
                if text:
                    entry[key] = text
            out.append(entry)
    return out


def _achievement(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    achievement: dict[str, Any] = {}
    ident = id_of(value)
    if ident:
        achievement["id"] = ident
    keys = ("name", "description", "achievementType", "humanCode", "fieldOfStudy", "specialization")
    for key in keys:
        text = text_of(value.get(key))
        if text:
            achievement[key] = text
    criteria = value.get("criteria")
    if isinstance(criteria, dict):
        crit = {k: t for k in ("id", "narrative") if (t := text_of(criteria.get(k)))}
        if crit:
            achievement["criteria"] = crit
    image = _image_of(value.get("image"))
    if image:
        achievement["image"] = image
    creator = _profile(value.get("creator"))
    if creator:
        achievement["creator"] = creator
    achievement["alignments"] = _alignments(value.get("alignment"))
    achievement["resultDescriptions"] = _result_descriptions(value.get("resultDescription"))
    return achievement


def credential_document(document: dict[str, Any] | str) -> dict[str, Any]:
    """The credential a JWT carries (claims decoded, signature not judged), or the JSON itself."""
    if isinstance(document, dict):
        return document
    from shared.jose import decode_vc_jwt, parse_jws

    try:
        parsed = parse_jws(document)
        return decode_vc_jwt(parsed.header, parsed.payload).document
    except SatchelError:
        return {}


def display_fields(document: dict[str, Any] | str) -> dict[str, Any]:
    """Everything the Open Badges Displayer shows of a credential, as plain JSON."""
    doc = credential_document(document)
    subject_raw: Any = next(iter(as_list(doc.get("credentialSubject"))), {})
    subject = subject_raw if isinstance(subject_raw, dict) else {}
    achievement = _achievement(subject.get("achievement"))
    types = [t for t in as_list(doc.get("type")) if isinstance(t, str)]
    fields: dict[str, Any] = {
        "format": "jwt" if isinstance(document, str) else "ldp",
        "types": types,
        "name": text_of(doc.get("name")) or achievement.get("name") or (types[-1] if types else ""),
        "issuer": _profile(doc.get("issuer")),
        "achievement": achievement,
        "results": _results(subject.get("result"), _level_names(subject.get("achievement"))),
        "evidence": _evidence(doc.get("evidence")),
        "endorsements": _endorsements(doc.get("endorsement"), subject.get("endorsement")),
        "skills": skills_of(doc),
    }
    description = text_of(doc.get("description")) or achievement.get("description")
    if description:
        fields["description"] = description
    image = (
        _image_of(doc.get("image"))
        or achievement.get("image")
        or _image_of(subject.get("image"))
        or fields["issuer"].get("image")
    )
    if image:
        fields["image"] = image
    if id_of(doc.get("id")):
        fields["id"] = doc["id"]
    issued = doc.get("validFrom") or doc.get("issuanceDate") or doc.get("awardedDate")
    expires = doc.get("validUntil") or doc.get("expirationDate")
    if isinstance(issued, str):
        fields["issued"] = issued
    if isinstance(expires, str):
        fields["expires"] = expires
    recipient = {k: t for k in ("id", "name") if (t := text_of(subject.get(k)))}
    if recipient:
        fields["subject"] = recipient
    statuses = [
        str(entry.get("type"))
        for entry in as_list(doc.get("credentialStatus"))
        if isinstance(entry, dict)
    ]
    if statuses:
        fields["status_methods"] = statuses
    return fields


def skills_of(document: dict[str, Any] | str) -> list[dict[str, str]]:
    """The competencies a credential's achievement aligns to, with a reached level if known.

    From the achievement's ``alignment`` (target name and framework), its
    ``achievementType``, and each ``resultDescription`` alignment, with the
    ``achievedLevel`` of the matching ``result`` resolved to the level's name.
    """
    doc = credential_document(document)
    subject_raw: Any = next(iter(as_list(doc.get("credentialSubject"))), {})
    subject = subject_raw if isinstance(subject_raw, dict) else {}
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict):
        return []
    skills: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(skill: str, framework: str, **extra: str) -> None:
        key = (skill, framework)
        if key not in seen:
            seen.add(key)
            skills.append({"skill": skill, "framework": framework, **extra})

    for alignment in _alignments(achievement.get("alignment")):
        extra: dict[str, str] = {
            k: alignment[k] for k in ("targetUrl", "targetCode") if k in alignment
        }
        add(alignment["targetName"], alignment.get("targetFramework", ""), **extra)
    kind = text_of(achievement.get("achievementType"))
    if kind:
        add(kind, "achievementType")
    names = _level_names(achievement)
    achieved = {
        r["resultDescription"]: names.get(r["achievedLevel"], "")
        for r in _results(subject.get("result"))
        if "resultDescription" in r and "achievedLevel" in r
    }
    for description in as_list(achievement.get("resultDescription")):
        if not isinstance(description, dict):
            continue
        level_name = achieved.get(str(description.get("id")))
        for alignment in _alignments(description.get("alignment")):
            level: dict[str, str] = {"level": level_name} if level_name else {}
            add(alignment["targetName"], alignment.get("targetFramework", ""), **level)
    return skills


def search_text(fields: dict[str, Any]) -> str:
    """Lower-case text a credential is found by: names, descriptions, issuer, skills."""
    parts: list[str] = [str(fields.get("name", "")), str(fields.get("description", ""))]
    parts.extend(str(v) for v in fields.get("issuer", {}).values() if isinstance(v, str))
    achievement = fields.get("achievement", {})
    parts.extend(str(achievement.get(k, "")) for k in ("name", "description", "achievementType"))
    parts.extend(s["skill"] for s in fields.get("skills", []))
    parts.extend(fields.get("types", []))
    return " ".join(p for p in parts if p).lower()
