"""The W3C JSON-LD 1.1 API expansion and toRdf test suites, read from tests/vectors/jsonld-api.

Helpers shared by the suite runner: manifest entries, a document loader that serves
suite URLs from the local copy (and nothing else), the options of each test, and
comparison of results (JSON-LD object comparison; RDF dataset isomorphism through
RDFC-1.0 canonical N-Quads).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyld import jsonld

from shared.jsonld.contexts import Env
from shared.jsonld.nquads import parse_nquads
from shared.jsonld.rdfc import canonicalize

SUITE = Path(__file__).resolve().parents[2] / "vectors" / "jsonld-api"
BASE_IRI = "https://w3c.github.io/json-ld-api/tests/"


@dataclass
class Case:
    """One manifest entry."""

    manifest: str  # "expand" or "toRdf"
    ident: str  # e.g. "#t0001"
    name: str
    input: str
    expect: str | None
    error: str | None
    syntax_only: bool  # a PositiveSyntaxTest: it must merely succeed
    option: dict[str, Any] = field(default_factory=dict)

    @property
    def test_id(self) -> str:
        return f"{self.manifest}{self.ident}"

    @property
    def url(self) -> str:
        return BASE_IRI + self.input

    @property
    def positive(self) -> bool:
        return self.error is None


def cases(manifest: str) -> list[Case]:
    """Every entry of ``<manifest>-manifest.jsonld``."""
    data = json.loads((SUITE / f"{manifest}-manifest.jsonld").read_text("utf-8"))
    return [
        Case(
            manifest=manifest,
            ident=entry["@id"],
            name=entry["name"],
            input=entry["input"],
            expect=entry.get("expect"),
            error=entry.get("expectErrorCode"),
            syntax_only="jld:PositiveSyntaxTest" in entry["@type"],
            option=entry.get("option", {}),
        )
        for entry in data["sequence"]
    ]


def suite_loader(url: str, options: Any = None) -> dict[str, Any]:
    """Serve suite documents from the local copy; anything else is an error (no network)."""
    path = url.split("#", 1)[0]
    if not path.startswith(BASE_IRI):
        raise jsonld.JsonLdError(
            f"not a suite document: {url}",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    local = SUITE / path[len(BASE_IRI) :]
    try:
        document = json.loads(local.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise jsonld.JsonLdError(
            f"cannot load {url}", "jsonld.LoadDocumentError", code="loading document failed"
        ) from exc
    return {"contextUrl": None, "documentUrl": url, "document": document}


def env_for(case: Case) -> Env:
    """A fresh environment with the test's base IRI and processing mode."""
    base = case.option.get("base", case.url)
    mode = case.option.get("processingMode", "json-ld-1.1")
    return Env(suite_loader, base=base, processing_mode=mode)


def read_input(case: Case) -> Any:
    return json.loads((SUITE / case.input).read_text("utf-8"))


def expand_context(case: Case) -> Any:
    name = case.option.get("expandContext")
    if name is None:
        return None
    return json.loads((SUITE / name).read_text("utf-8"))


def error_code(exc: BaseException) -> str:
    """The JSON-LD error code of ``exc`` (following causes, as pyld's runner does)."""
    cause: BaseException | None = exc
    while cause is not None:
        code = getattr(cause, "code", None)
        if isinstance(cause, jsonld.JsonLdError) and code:
            return str(code)
        cause = cause.__cause__
    return f"{type(exc).__name__}: {exc}"


def _canonical_json(value: Any, ordered: bool = False) -> str:
    """A text form in which unordered arrays (everything but @list) are sorted."""
    if isinstance(value, dict):
        items = []
        for k in sorted(value):
            items.append(json.dumps(k) + ":" + _canonical_json(value[k], ordered=k == "@list"))
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        parts = [_canonical_json(v) for v in value]
        if not ordered:
            parts.sort()
        return "[" + ",".join(parts) + "]"
    return json.dumps(value, sort_keys=True)


def same_json_ld(actual: Any, expected: Any) -> bool:
    """JSON-LD object comparison: arrays are unordered except the values of @list."""
    return _canonical_json(actual) == _canonical_json(expected)


def canonical_dataset(nquads_text: str) -> str:
    """RDFC-1.0 canonical form of an N-Quads document (isomorphic datasets compare equal)."""
    return canonicalize(parse_nquads(nquads_text))
