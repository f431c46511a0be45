"""Built-in templates: career-readiness achievements a career-services office awards,
and a CLR that bundles three of them under the programme they belong to.

Alignments point at the NACE Career Readiness Competencies (a published framework);
badge images are small SVGs embedded as data: URLs, so nothing is fetched.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

NACE_URL = "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/"
NACE = "NACE Career Readiness Competencies"


def badge_image(label: str, colour: str, caption: str) -> dict[str, str]:
    """An OB 3.0 Image: a round badge with ``label``, as an SVG data: URL."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" role="img">'
        f"<title>{escape(caption)}</title>"
        f'<circle cx="60" cy="60" r="56" fill="{colour}"/>'
        '<circle cx="60" cy="60" r="46" fill="none" stroke="#fff" stroke-width="3"/>'
        '<text x="60" y="72" font-family="sans-serif" font-size="34" font-weight="bold" '
        f'fill="#fff" text-anchor="middle">{escape(label)}</text></svg>'
    )
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return {"id": f"data:image/svg+xml;base64,{data}", "type": "Image", "caption": caption}


def _nace(competency: str, code: str, description: str) -> dict[str, str | list[str]]:
    return {
        "type": ["Alignment"],
        "targetName": competency,
        "targetDescription": description,
        "targetFramework": NACE,
        "targetCode": code,
        "targetType": "ext:Competency",
        "targetUrl": NACE_URL,
    }


_COMMUNICATION = _nace(
    "Communication",
    "communication",
    "Clearly and effectively exchange information, ideas, facts and perspectives.",
)
_CRITICAL = _nace(
    "Critical Thinking",
    "critical-thinking",
    "Identify and respond to needs based on an understanding of situational context.",
)
_TECHNOLOGY = _nace(
    "Technology",
    "technology",
    "Understand and leverage technologies ethically to enhance efficiencies and solve problems.",
)
_TEAMWORK = _nace(
    "Teamwork",
    "teamwork",
    "Build and maintain collaborative relationships to work effectively toward common goals.",
)
_PROFESSIONALISM = _nace(
    "Professionalism",
    "professionalism",
    "Knowing work environments differ greatly, understand and demonstrate effective work habits.",
)

TEMPLATES: dict[str, dict[str, Any]] = {
    "communication": {
        "id": "communication",
        "kind": "achievement",
        "name": "Professional Communication",
        "description": "Awarded for clear, audience-aware written and spoken communication.",
        "achievement": {
            "type": ["Achievement"],
            "achievementType": "Badge",
            "name": "Professional Communication",
            "description": "Writes and presents clearly for professional audiences.",
            "criteria": {
                "narrative": "Complete the communication workshop series, deliver a five-minute "
                "presentation assessed by career-services staff, and submit a cover letter "
                "rated 'ready' on the office's rubric."
            },
            "image": badge_image("PC", "#1f6f8b", "Professional Communication badge"),
            "alignment": [_COMMUNICATION],
            "tag": ["communication", "career readiness"],
        },
        "evidence": [
            {
                "type": ["Evidence"],
                "name": "Assessed presentation",
                "description": "Five-minute presentation to a panel of career-services staff.",
                "narrative": "Presented a project summary and answered panel questions.",
            }
        ],
    },
    "data-analysis": {
        "id": "data-analysis",
        "kind": "achievement",
        "name": "Data Analysis Fundamentals",
        "description": "Course certificate with the learner's final score.",
        "achievement": {
            "type": ["Achievement"],
            "achievementType": "Course",
            "name": "Data Analysis Fundamentals",
            "description": "Cleans, explores and explains data sets with spreadsheets and Python.",
            "criteria": {
                "narrative": "Complete all eight modules and score at least 70 percent on the "
                "final project."
            },
            "image": badge_image("DA", "#6a4c93", "Data Analysis Fundamentals badge"),
            "alignment": [_CRITICAL, _TECHNOLOGY],
            "resultDescription": [
                {
                    "id": "urn:uuid:5c4d1f3e-2a7b-4c6d-9e8f-0a1b2c3d4e5f",
                    "type": ["ResultDescription"],
                    "name": "Final project score",
                    "resultType": "Percent",
                    "valueMin": "0",
                    "valueMax": "100",
                    "requiredValue": "70",
                }
            ],
            "tag": ["data", "python", "spreadsheets"],
        },
        "results": [
            {
                "type": ["Result"],
                "resultDescription": "urn:uuid:5c4d1f3e-2a7b-4c6d-9e8f-0a1b2c3d4e5f",
                "value": "92",
            }
        ],
        "evidence": [
            {
                "type": ["Evidence"],
                "name": "Final project",
                "description": "An analysis of regional employment data with a written summary.",
            }
        ],
    },
    "teamwork": {
        "id": "teamwork",
        "kind": "achievement",
        "name": "Teamwork",
        "description": "Recognises effective collaboration in a team project.",
        "achievement": {
            "type": ["Achievement"],
            "achievementType": "Badge",
            "name": "Teamwork",
            "description": "Collaborates effectively toward a shared goal in a diverse team.",
            "criteria": {
                "narrative": "Team members are nominated by their peers after a semester-long "
                "project and confirmed by the project supervisor."
            },
            "image": badge_image("TW", "#2a9d8f", "Teamwork badge"),
            "alignment": [_TEAMWORK],
        },
    },
    "internship": {
        "id": "internship",
        "kind": "achievement",
        "name": "Internship Completion",
        "description": "A supervised internship completed in good standing.",
        "achievement": {
            "type": ["Achievement"],
            "achievementType": "Fieldwork",
            "name": "Internship Completion",
            "description": "Completed a supervised internship of at least 120 hours.",
            "criteria": {
                "narrative": "At least 120 supervised hours, a positive supervisor evaluation "
                "and a reflective report."
            },
            "image": badge_image("IN", "#e76f51", "Internship Completion badge"),
            "alignment": [_PROFESSIONALISM],
        },
    },
    "career-readiness-record": {
        "id": "career-readiness-record",
        "kind": "clr",
        "name": "Career Readiness Record",
        "description": "A comprehensive learner record bundling career-readiness achievements.",
        "members": ["communication", "data-analysis", "teamwork"],
        "program": {
            "type": ["Achievement"],
            "achievementType": "LearningProgram",
            "name": "Career Readiness Programme",
            "description": "The office's programme of career-readiness workshops and projects.",
            "criteria": {
                "narrative": "Earn the programme's communication, data and teamwork achievements."
            },
            "image": badge_image("CR", "#264653", "Career Readiness Programme"),
            "alignment": [_COMMUNICATION, _CRITICAL, _TEAMWORK],
        },
        "associations": [
            {"type": "isChildOf", "source": "communication", "target": "program"},
            {"type": "isChildOf", "source": "data-analysis", "target": "program"},
            {"type": "isChildOf", "source": "teamwork", "target": "program"},
            {"type": "precedes", "source": "communication", "target": "teamwork"},
        ],
    },
}


def summary(template: dict[str, Any]) -> dict[str, Any]:
    """The listing entry of a template."""
    kind = template.get("kind", "achievement")
    achievement = template.get("program") if kind == "clr" else template.get("achievement")
    return {
        "id": template["id"],
        "name": template["name"],
        "description": template.get("description", ""),
        "achievementType": (achievement or {}).get("achievementType"),
        "kind": kind,
    }
