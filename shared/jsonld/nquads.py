"""Canonical N-Quads terms: escaping, term builders, serializer and parser.

A quad is a tuple ``(subject, predicate, object, graph)`` of strings, each
already the canonical N-Quads text of its term (RDFC-1.0 section 4.3 /
RDF 1.1 canonical N-Triples): IRIs as ``<...>`` (no escapes), blank nodes as
``_:label``, literals as ``"..."``, ``"..."@lang`` or ``"..."^^<datatype>``
(``xsd:string`` omitted). The graph is ``""`` for the default graph. A term
is a blank node iff it starts with ``_:``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from shared.errors import CanonicalizationError

Quad = tuple[str, str, str, str]

XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
I18N_BASE: Final = "https://www.w3.org/ns/i18n#"

# -- escaping ----------------------------------------------------------------

_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in range(0x20)}
_ESCAPES[0x7F] = "\\u007F"
_ESCAPES.update(
    {
        0x08: "\\b",
        0x09: "\\t",
        0x0A: "\\n",
        0x0C: "\\f",
        0x0D: "\\r",
        0x22: '\\"',
        0x5C: "\\\\",
    }
)
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form as canonical N-Quads requires.

    ``\\``, ``"``, and the control characters BS, TAB, LF, FF, CR get their
    short escapes; every other character in U+0000-U+001F and U+007F becomes
    ``\\uXXXX`` (upper-case hex). Everything else is left as is.
    """
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_ESCAPES)


# -- term builders -------------------------------------------------------------


def iri_term(iri: str) -> str:
    """Return the canonical N-Quads text of an IRI: ``<iri>``."""
    return f"<{iri}>"


def literal_term(
    value: str,
    datatype: str | None,
    language: str | None,
    direction: str | None = None,
) -> str:
    """Return the canonical N-Quads text of a literal.

    A language makes it ``"v"@lang`` (an ``rdf:langString`` datatype is then
    implied and ignored). A base ``direction`` uses the JSON-LD
    ``i18n-datatype`` form ``"v"^^<https://www.w3.org/ns/i18n#lang_dir>``
    (language lower-cased, empty when absent). ``xsd:string`` (also the
    default when ``datatype`` is None) is omitted.
    """
    text = f'"{escape_literal(value)}"'
    if direction:
        return f"{text}^^<{I18N_BASE}{(language or '').lower()}_{direction}>"
    if language:
        return f"{text}@{language}"
    if datatype is None or datatype == XSD_STRING:
        return text
    return f"{text}^^<{datatype}>"


def serialize_quad(q: Quad) -> str:
    """Serialize one quad as a canonical N-Quads line ending in ``" .\\n"``."""
    s, p, o, g = q
    if g:
        return f"{s} {p} {o} {g} .\n"
    return f"{s} {p} {o} .\n"


# -- parser ----------------------------------------------------------------------

_IRI_CHAR = r'[^\x00-\x20<>"{}|^`\\]'
_UCHAR = r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_IRI = rf"<({_IRI_CHAR}*(?:{_UCHAR}{_IRI_CHAR}*)*)>"
_PN_CHARS_BASE = (
    r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
    r"\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF"
    r"\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_PN_CHARS_U = _PN_CHARS_BASE + r"_:"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_BNODE = rf"_:([{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)"
_STRING_CHAR = r'[^"\\\n\r]'
_ECHAR_OR_UCHAR = r"""\\(?:[tbnrf"'\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"""
_STRING = rf'"({_STRING_CHAR}*(?:{_ECHAR_OR_UCHAR}{_STRING_CHAR}*)*)"'
_LANGTAG = r"@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
_WS = r"[ \t]*"

_STATEMENT_PATTERN = (
    rf"{_WS}(?:{_IRI}|{_BNODE})"  # subject: groups 1, 2
    rf"{_WS}{_IRI}"  # predicate: group 3
    rf"{_WS}(?:{_IRI}|{_BNODE}|{_STRING}(?:\^\^{_WS}{_IRI}|{_LANGTAG})?)"  # object: 4-8
    rf"{_WS}(?:{_IRI}|{_BNODE})?"  # graph: groups 9, 10
    rf"{_WS}\.{_WS}(?:#.*)?"
)


@cache
def _statement() -> re.Pattern[str]:
    """The statement pattern, compiled on first use (it takes ~20 ms: a large Unicode class)."""
    return re.compile(_STATEMENT_PATTERN)


_BLANK_OR_COMMENT = re.compile(rf"{_WS}(?:#.*)?")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_ESCAPE = re.compile(r"""\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf"'\\]))""")
_ECHARS: Final = {
    "t": "\t",
    "b": "\b",
    "n": "\n",
    "r": "\r",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _code_point(hex_digits: str, line_no: int) -> str:
    cp = int(hex_digits, 16)
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        raise CanonicalizationError(
            f"N-Quads line {line_no}: escape \\u{hex_digits} is not a Unicode scalar value."
        )
    return chr(cp)


def _unescape(text: str, line_no: int) -> str:
    if "\\" not in text:
        return text

    def replace(m: re.Match[str]) -> str:
        if m.group(3) is not None:
            return _ECHARS[m.group(3)]
        return _code_point(m.group(1) or m.group(2), line_no)

    return _ESCAPE.sub(replace, text)


def _iri(raw: str, line_no: int) -> str:
    if "\\" not in raw:
        return f"<{raw}>"
    iri = _unescape(raw, line_no)
    if _IRI_FORBIDDEN.search(iri):
        raise CanonicalizationError(
            f"N-Quads line {line_no}: IRI <{raw}> escapes a character not allowed in IRIs."
        )
    return f"<{iri}>"


def _syntax_error(line: str, line_no: int) -> CanonicalizationError:
    shown = line if len(line) <= 80 else line[:77] + "..."
    return CanonicalizationError(f"Malformed N-Quads statement on line {line_no}: {shown!r}")


def parse_nquads(text: str) -> list[Quad]:
    """Parse an N-Quads document into canonical-form quads.

    Escapes in literals (ECHAR, UCHAR) and IRIs (UCHAR) are decoded and each
    term re-serialized canonically. Blank lines and comments are skipped.
    Linear in the input size. Raises ``CanonicalizationError`` on malformed
    input.
    """
    quads: list[Quad] = []
    statement = _statement()
    for index, line in enumerate(_LINE_BREAK.split(text)):
        m = statement.fullmatch(line)
        if m is None:
            if _BLANK_OR_COMMENT.fullmatch(line):
                continue
            raise _syntax_error(line, index + 1)
        line_no = index + 1
        g = m.groups()
        subject = _iri(g[0], line_no) if g[0] is not None else f"_:{g[1]}"
        predicate = _iri(g[2], line_no)
        if g[3] is not None:
            obj = _iri(g[3], line_no)
        elif g[4] is not None:
            obj = f"_:{g[4]}"
        else:
            value = _unescape(g[5], line_no)
            if g[7] is not None:
                obj = literal_term(value, None, g[7])
            elif g[6] is not None:
                obj = literal_term(value, _iri(g[6], line_no)[1:-1], None)
            else:
                obj = literal_term(value, None, None)
        if g[8] is not None:
            graph = _iri(g[8], line_no)
        elif g[9] is not None:
            graph = f"_:{g[9]}"
        else:
            graph = ""
        quads.append((subject, predicate, obj, graph))
    return quads
