"""Display fields and skills of OB 3.0 credentials (the OB spec's full example)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from shared.did.key import did_key_for
from shared.display import display_fields, search_text, skills_of, text_of
from shared.jose import sign_jwt_credential
from shared.keys import generate_key

FULL = Path(__file__).parents[1] / "vectors/ob3/spec-examples/fullOpenBadge.json"


def _full() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FULL.read_text())
    return document


def test_everything_the_displayer_shows() -> None:
    fields = display_fields(_full())
    assert fields["name"] == "1EdTech University Degree for Example Student"
    assert fields["description"] == "1EdTech University Degree Description"
    assert fields["image"]["url"] == "https://1edtech.edu/credentials/3732/image"
    assert fields["issuer"]["name"] == "1EdTech University"
    assert (
        fields["issued"] == "2010-01-01T00:00:00Z" and fields["expires"] == "2030-01-01T00:00:00Z"
    )
    assert fields["status_methods"] == ["1EdTechRevocationList"]
    achievement = fields["achievement"]
    assert achievement["criteria"]["narrative"].startswith("# Degree Requirements")
    assert achievement["achievementType"] == "Degree"
    assert len(achievement["alignments"]) == 2
    assert achievement["resultDescriptions"][1]["levels"][0]["name"] == "Mastery"
    assert {r.get("value") for r in fields["results"]} >= {"A"}
    assert [e["name"] for e in fields["evidence"]] == ["Final Project Report", "Final Project Code"]
    assert fields["endorsements"][0]["comment"] == "1EdTech University is in good standing"


def test_skills_from_alignments_type_and_results() -> None:
    skills = skills_of(_full())
    pairs = [(s["skill"], s["framework"]) for s in skills]
    assert ("1EdTech University Degree", "1EdTech University Program and Course Catalog") in pairs
    assert ("Degree", "achievementType") in pairs
    assert ("Final Project", "1EdTech University Program and Course Catalog") in pairs
    assert len(pairs) == len(set(pairs))  # the two alignments to one target count once


def test_level_reached_is_named() -> None:
    document = _full()
    achievement = document["credentialSubject"]["achievement"]
    rubric = achievement["resultDescription"][1]
    rubric["alignment"] = [
        {"type": ["Alignment"], "targetName": "Research", "targetUrl": "https://x.example/r"}
    ]
    document["credentialSubject"]["result"] = [
        {
            "type": ["Result"],
            "resultDescription": rubric["id"],
            "achievedLevel": rubric["rubricCriterionLevel"][0]["id"],
        }
    ]
    research = next(s for s in skills_of(document) if s["skill"] == "Research")
    assert research["level"] == "Mastery"
    assert display_fields(document)["results"][0]["achievedLevelName"] == "Mastery"


def test_odd_shapes_do_not_raise() -> None:
    odd: dict[str, Any] = {
        "type": "VerifiableCredential",
        "credentialSubject": ["x", 3],
        "name": {"fr": "Nom"},
    }
    fields = display_fields(odd)
    assert fields["name"] == "Nom" and fields["skills"] == [] and fields["achievement"] == {}
    assert display_fields("not.a.jwt")["name"] == ""
    assert text_of({"@value": "v"}) == "v" and text_of(5) is None


def test_jwt_credential_claims_are_displayed() -> None:
    key = generate_key()
    did = did_key_for(key.public_key)
    document = copy.deepcopy(_full())
    document.pop("proof", None)
    document["issuer"] = {"id": did, "type": ["Profile"], "name": "JWT Issuer"}
    token = sign_jwt_credential(document, key, f"{did}#{did.split(':')[-1]}")
    fields = display_fields(token)
    assert fields["format"] == "jwt" and fields["issuer"]["name"] == "JWT Issuer"
    assert "degree" in search_text(fields)
