"""RDFC-1.0 against the W3C rdf-canon test suite, plus N-Quads unit tests."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from shared.errors import CanonicalizationError
from shared.jsonld.nquads import (
    escape_literal,
    iri_term,
    literal_term,
    parse_nquads,
    serialize_quad,
)
from shared.jsonld.rdfc import (
    DEFAULT_MAX_WORK,
    canonical_labels,
    canonicalize,
    canonicalize_with_labels,
)

SUITE = Path(__file__).parents[2] / "vectors" / "rdf-canon" / "tests"
MANIFEST: dict[str, Any] = json.loads((SUITE / "manifest.jsonld").read_text(encoding="utf-8"))
ENTRIES: list[dict[str, Any]] = MANIFEST["entries"]


def _read(relative: str) -> str:
    return (SUITE / relative).read_text(encoding="utf-8")


def _hash_algorithm(entry: dict[str, Any]) -> str:
    return str(entry.get("hashAlgorithm", "SHA256")).lower()


def test_manifest_is_complete() -> None:
    types = {entry["type"] for entry in ENTRIES}
    assert types == {
        "rdfc:RDFC10EvalTest",
        "rdfc:RDFC10MapTest",
        "rdfc:RDFC10NegativeEvalTest",
    }
    assert len(ENTRIES) >= 80


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["id"].lstrip("#") for entry in ENTRIES])
def test_rdf_canon_suite(entry: dict[str, Any]) -> None:
    quads = parse_nquads(_read(entry["action"]))
    algorithm = _hash_algorithm(entry)
    kind = entry["type"]
    if kind == "rdfc:RDFC10EvalTest":
        expected = _read(entry["result"])
        assert canonicalize(quads, hash_algorithm=algorithm) == expected
    elif kind == "rdfc:RDFC10MapTest":
        expected_map = json.loads(_read(entry["result"]))
        assert canonical_labels(quads, hash_algorithm=algorithm) == expected_map
    elif kind == "rdfc:RDFC10NegativeEvalTest":
        start = time.perf_counter()
        with pytest.raises(CanonicalizationError) as info:
            canonicalize(quads, hash_algorithm=algorithm)
        elapsed = time.perf_counter() - start
        assert info.value.code == "canonicalization.limit"
        assert "malicious" in info.value.message
        assert elapsed < 1.0, f"poison graph refused only after {elapsed:.3f} s"
    else:  # pragma: no cover - a new test type must be handled, not skipped
        pytest.fail(f"unknown test type {kind}")


def test_refusal_leaves_process_healthy() -> None:
    poison = parse_nquads(_read("rdfc10/test074-in.nq"))
    with pytest.raises(CanonicalizationError):
        canonicalize(poison)
    normal = parse_nquads(_read("rdfc10/test020-in.nq"))
    assert canonicalize(normal) == _read("rdfc10/test020-rdfc10.nq")
    assert canonicalize(normal) == _read("rdfc10/test020-rdfc10.nq")


def test_small_work_limit_refuses_what_the_default_allows() -> None:
    evil = parse_nquads(_read("rdfc10/test044-in.nq"))
    assert canonicalize(evil, max_work=DEFAULT_MAX_WORK) == _read("rdfc10/test044-rdfc10.nq")
    with pytest.raises(CanonicalizationError) as info:
        canonicalize(evil, max_work=100)
    assert info.value.code == "canonicalization.limit"


def test_canonicalize_with_labels_agrees() -> None:
    quads = parse_nquads(_read("rdfc10/test020-in.nq"))
    document, labels = canonicalize_with_labels(quads)
    assert document == canonicalize(quads)
    assert labels == canonical_labels(quads)
    assert labels == json.loads(_read("rdfc10/test020-rdfc10map.json"))


def test_duplicate_quads_are_dropped() -> None:
    q = ("_:x", "<urn:p>", '"v"', "")
    assert canonicalize([q, q]) == '_:c14n0 <urn:p> "v" .\n'


def test_unknown_hash_algorithm() -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize([("_:x", "<urn:p>", '"v"', "")], hash_algorithm="md5")


# -- ordering ----------------------------------------------------------------------


def test_utf16_order_differs_above_bmp() -> None:
    astral = ("<urn:s>", "<urn:p>", '"\U0001f600"', "")  # UTF-16: D83D DE00
    private = ("<urn:s>", "<urn:p>", '"\uff01"', "")  # UTF-16: FF01
    code_point = canonicalize([astral, private])
    utf16 = canonicalize([astral, private], utf16_order=True)
    assert code_point == serialize_quad(private) + serialize_quad(astral)
    assert utf16 == serialize_quad(astral) + serialize_quad(private)


def test_utf16_order_same_otherwise() -> None:
    quads = [
        *parse_nquads(_read("rdfc10/test060-in.nq")),
        ("<urn:s>", "<urn:p>", '"\u00e9"', ""),
        ("<urn:s>", "<urn:p>", '"\u4e2d"', ""),
        ("<urn:s>", "<urn:p>", '"\uff01"', ""),
        ("_:b", "<urn:p>", '"\ud7ff"', ""),
    ]
    bmp_only = [q for q in quads if all(ord(c) < 0x10000 for c in "".join(q))]
    assert len(bmp_only) < len(quads)
    assert canonicalize(bmp_only, utf16_order=True) == canonicalize(bmp_only)


# -- N-Quads terms -------------------------------------------------------------------


def test_escape_literal_control_characters() -> None:
    raw = "\x00\x01\b\t\n\x0b\x0c\r\x0e\x1f\x7f\"\\'"
    assert escape_literal(raw) == (
        "\\u0000\\u0001\\b\\t\\n\\u000B\\f\\r\\u000E\\u001F\\u007F\\\"\\\\'"
    )


def test_escape_literal_leaves_other_characters() -> None:
    text = "plain é ∞ 🌃 \x80\x9f\u2028 <>{}"
    assert escape_literal(text) == text


def test_literal_term_forms() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    assert literal_term("a", None, None) == '"a"'
    assert literal_term("a", xsd + "string", None) == '"a"'
    assert literal_term("1", xsd + "integer", None) == f'"1"^^<{xsd}integer>'
    assert literal_term("a", rdf + "langString", "en-GB") == '"a"@en-GB'
    assert literal_term("a", None, "en", "rtl") == '"a"^^<https://www.w3.org/ns/i18n#en_rtl>'
    assert literal_term('q"\n', None, None) == '"q\\"\\n"'
    assert iri_term("urn:x") == "<urn:x>"


def test_serialize_quad() -> None:
    assert serialize_quad(("<urn:s>", "<urn:p>", "_:o", "")) == "<urn:s> <urn:p> _:o .\n"
    assert serialize_quad(("<urn:s>", "<urn:p>", "_:o", "<urn:g>")) == (
        "<urn:s> <urn:p> _:o <urn:g> .\n"
    )


def test_parse_decodes_escapes() -> None:
    text = (
        "# a comment\n"
        "\n"
        '<urn:\\u0065x> <urn:p> "a\\tb\\u00e9\\U0001F303\\"\'" . # trailing\r\n'
        '_:b0 <urn:p> "x"@en-US _:g .\n'
        '<urn:s>\t<urn:p>\t"1"^^<http://www.w3.org/2001/XMLSchema#string>\t<urn:g>.'
    )
    assert parse_nquads(text) == [
        ("<urn:ex>", "<urn:p>", '"a\\tbé🌃\\"\'"', ""),
        ("_:b0", "<urn:p>", '"x"@en-US', "_:g"),
        ("<urn:s>", "<urn:p>", '"1"', "<urn:g>"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "<urn:s> <urn:p> <urn:o>",  # no terminating dot
        '<urn:s> <urn:p> "unterminated .',
        '<urn:s> <urn:p> "bad \\x escape" .',
        '"literal" <urn:p> <urn:o> .',  # literal subject
        "<urn:s> _:p <urn:o> .",  # blank node predicate
        "<urn:s> <urn:p> <urn:o> <urn:g> <urn:h> .",
        "<urn:s s> <urn:p> <urn:o> .",  # space in IRI
        '<urn:s> <urn:p> "\\uD800" .',  # surrogate escape
        "<urn:\\u0020> <urn:p> <urn:o> .",  # escaped space in IRI
        '<urn:s> <urn:p> "x"@ .',
    ],
)
def test_malformed_nquads(line: str) -> None:
    with pytest.raises(CanonicalizationError) as info:
        parse_nquads("<urn:ok> <urn:p> <urn:o> .\n" + line + "\n")
    assert "line 2" in info.value.message
