"""Expanded JSON-LD to RDF quads, without building pyld's node map.

pyld converts to RDF in two passes: it flattens the expanded document into a
node map (merging nodes by ``@id``, relabelling blank nodes, dropping duplicate
values) and then turns each node's properties into triples. This module emits
the same triples in one walk: it visits the expanded document in pyld's order
and writes a triple wherever pyld would add a value to a node, applying pyld's
duplicate rule (``compare_values``: same ``@value``/``@type``/``@language``/
``@index``, or same ``@id``) per graph, subject and property. Blank-node labels
differ from pyld's (they are only required to be consistent); everything else
is identical. Anything pyld would reject, or that only generalized RDF could
express, raises :class:`~shared.jsonld.fastexpand.Unsupported`.
"""

from __future__ import annotations

import importlib
from numbers import Integral, Real
from typing import Any, Final

from shared.jsonld.contexts import KEYWORDS, is_absolute_iri
from shared.jsonld.iri import Unsupported
from shared.jsonld.nquads import Quad, escape_literal

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE: Final = f"<{RDF}type>"
RDF_FIRST: Final = f"<{RDF}first>"
RDF_REST: Final = f"<{RDF}rest>"
RDF_NIL: Final = f"<{RDF}nil>"
RDF_JSON: Final = f"{RDF}JSON"
RDF_LANGSTRING: Final = f"{RDF}langString"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING: Final = f"{XSD}string"
XSD_BOOLEAN: Final = f"{XSD}boolean"
XSD_DOUBLE: Final = f"{XSD}double"
XSD_INTEGER: Final = f"{XSD}integer"
I18N: Final = "https://www.w3.org/ns/i18n#"


def _literal(text: str, datatype: str | None) -> str:
    escaped = escape_literal(text)
    if datatype is None or datatype == XSD_STRING:
        return f'"{escaped}"'
    return f'"{escaped}"^^<{datatype}>'


def _is_double(v: Any) -> bool:
    """pyld's ``_is_double``: a real number that is not integral (5.0 is an integer)."""
    if type(v) is float:
        return not v.is_integer()
    return not isinstance(v, Integral) and isinstance(v, Real) and not float(v).is_integer()


def _is_integer(v: Any) -> bool:
    """pyld's ``_is_integer``."""
    if type(v) is int:
        return True
    return isinstance(v, Integral) or (isinstance(v, Real) and float(v).is_integer())


def _double(value: Any) -> str:
    """The canonical xsd:double form pyld writes: ``1.5E0``, ``-2.25E-7``, ``1.0E21``."""
    text = f"{value:.15E}"
    if "E" not in text:
        return text  # NAN, INF, -INF, as pyld leaves them
    mantissa, exponent = text.split("E")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def _json_literal(value: Any) -> str:
    """RFC 8785 (JCS) text of a JSON literal, by the same library pyld uses."""
    canonicalize = importlib.import_module("c14n.Canonicalize").canonicalize
    return str(canonicalize(value).decode("utf-8"))


class _Writer:
    """One conversion: emits quads while walking the expanded document."""

    __slots__ = (
        "_count",
        "_graphs",
        "_i18n",
        "_index",
        "_json_11",
        "_labels",
        "_seen",
        "_seen_unhashable",
        "_strict",
        "quads",
    )

    def __init__(self, processing_mode: str, rdf_direction: str | None, strict: bool) -> None:
        if rdf_direction not in (None, "i18n-datatype"):
            raise Unsupported(f"rdfDirection {rdf_direction!r}")
        self._strict = strict
        self._json_11 = processing_mode == "json-ld-1.1"
        self._i18n = rdf_direction == "i18n-datatype"
        self.quads: list[Quad] = []
        self._labels: dict[str, str] = {}
        self._count = 0
        self._graphs: dict[str, str | None] = {"@default": ""}
        self._seen: set[tuple[Any, ...]] = set()
        self._seen_unhashable: dict[tuple[str, str, str], list[Any]] = {}
        self._index: set[tuple[str, str]] = set()

    # -- blank nodes and terms ---------------------------------------------------------

    def _fresh(self) -> str:
        self._count += 1
        return f"_:b{self._count}"

    def _bnode(self, label: str | None) -> str:
        """A new label for a blank node (the same one for the same document label)."""
        if label is None:
            return self._fresh()
        found = self._labels.get(label)
        if found is None:
            found = self._labels[label] = self._fresh()
        return found

    def _graph_term(self, graph: str) -> str | None:
        """The graph's N-Quads term; None for a graph pyld drops (name not absolute)."""
        term = self._graphs.get(graph, _UNSET)
        if term is not _UNSET:
            return term  # type: ignore[return-value]
        if graph.startswith("_:"):
            term = graph
        elif is_absolute_iri(graph):
            term = f"<{graph}>"
        elif self._strict:
            raise Unsupported("graph name is not an absolute IRI")
        else:
            term = None
        self._graphs[graph] = term
        return term

    def _predicate(self, prop: str) -> str | None:
        """The predicate's term; None when pyld skips it (relative, or a blank node)."""
        if prop == "@type":
            return RDF_TYPE
        if prop.startswith("_:"):
            return None
        return _iri_term(prop)

    def _iri(self, ident: str) -> str | None:
        """``<ident>``, or None when it is not absolute (pyld skips such triples)."""
        return _iri_term(ident)

    # -- the walk (pyld _create_node_map order) -------------------------------------------

    def element(
        self,
        item: Any,
        graph: str,
        subject: str | None,
        s_term: str | None,
        prop: str | None,
        into: list[Any] | None,
    ) -> None:
        """Visit ``item`` in ``graph`` as a value of ``subject``'s ``prop`` (or list ``into``).

        ``s_term`` is the subject's N-Quads term (None when pyld skips its triples).
        """
        if type(item) is list:
            for e in item:
                self.element(e, graph, subject, s_term, prop, into)
            return
        if type(item) is not dict:
            raise Unsupported("unexpected value in expanded form")
        if "@value" in item:
            datatype = item.get("@type")
            if type(datatype) is str and datatype.startswith("_:"):
                raise Unsupported("blank-node datatype")
            if into is not None:
                into.append(item)
            elif subject is not None and prop is not None:
                self._add(graph, subject, s_term, prop, item, _value_key(item))
            return
        if "@list" in item:
            members: list[Any] = []
            self.element(item["@list"], graph, subject, s_term, prop, members)
            lst = {"@list": members}
            if into is not None:
                into.append(lst)
            elif subject is not None and prop is not None:
                self._add(graph, subject, s_term, prop, lst, _NO_DEDUPE)
            return
        self._node(item, graph, subject, s_term, prop, into, None)

    def _node(
        self,
        item: dict[str, Any],
        graph: str,
        subject: str | None,
        s_term: str | None,
        prop: str | None,
        into: list[Any] | None,
        reverse_of: str | None,
    ) -> None:
        if "@id" not in item:
            ident = self._fresh()
        else:
            ident = item["@id"]
            if type(ident) is not str:
                raise Unsupported("@id is not a string")  # pyld fails on it
            if ident.startswith("_:"):
                ident = self._bnode(ident)
        own_term = ident if ident.startswith("_:") else self._iri(ident)
        if reverse_of is not None and prop is not None:
            self._add(graph, ident, own_term, prop, {"@id": reverse_of}, ("id", reverse_of))
        elif prop:
            ref = {"@id": ident}
            if into is not None:
                into.append(ref)
            elif subject is not None:
                self._add(graph, subject, s_term, prop, ref, ("id", ident))
        for key in sorted(item):
            values = item[key]
            if key == "@id":
                continue
            if key == "@reverse":
                for rprop, ritems in values.items():
                    for ritem in ritems:
                        if type(ritem) is not dict or "@value" in ritem or "@list" in ritem:
                            raise Unsupported("invalid reverse value")
                        self._node(ritem, graph, None, None, rprop, None, ident)
                continue
            if key == "@graph":
                self._graph_term(ident)
                self.element(values, ident, None, None, None, None)
                continue
            if key == "@included":
                self.element(values, graph, None, None, None, None)
                continue
            if key == "@type":
                for t in values:
                    if type(t) is not str:
                        raise Unsupported("non-string type")
                    if t.startswith("_:"):
                        t = self._bnode(t)
                    self._add(graph, ident, own_term, "@type", t, ("type", t))
                continue
            if key in KEYWORDS:
                if key == "@index":
                    if (graph, ident) in self._index:
                        raise Unsupported("node indexed twice")
                    self._index.add((graph, ident))
                continue
            if key.startswith("_:"):
                key = self._bnode(key)
            for value in values:
                self.element(value, graph, ident, own_term, key, None)

    # -- adding a value to a node: pyld add_value + graph_to_rdf -------------------------

    def _add(
        self,
        graph: str,
        subject: str,
        s_term: str | None,
        prop: str,
        value: Any,
        key: tuple[Any, ...] | None,
    ) -> None:
        """Add ``value`` to ``subject``'s ``prop``: skip duplicates as pyld, emit the triple.

        ``key`` identifies the value for pyld's duplicate rule (``compare_values``); None
        when it is not hashable (a JSON literal), ``_NO_DEDUPE`` for lists.
        """
        if key is None:
            slot = (graph, subject, prop)
            seen = self._seen_unhashable.setdefault(slot, [])
            if any(_same_value(old, value) for old in seen):
                return
            seen.append(value)
        elif key is not _NO_DEDUPE:
            full = (graph, subject, prop, key)
            if full in self._seen:
                return
            self._seen.add(full)
        if s_term is None:
            return
        p = self._predicate(prop)
        if p is None:
            return
        g = self._graph_term(graph)
        if g is None:
            return
        o = self._object(value, g)
        if o is not None:
            self.quads.append((s_term, p, o, g))

    def _object(self, item: Any, g: str) -> str | None:
        """pyld ``_object_to_rdf`` as an N-Quads term (None: skipped relative IRI)."""
        if type(item) is str:
            ident = item
        elif "@value" in item:
            return self._value(item)
        elif "@list" in item:
            return self._list(item["@list"], g)
        else:
            ident = item["@id"]
        if ident.startswith("_:"):
            return ident
        return self._iri(ident)

    def _list(self, members: list[Any], g: str) -> str:
        if not members:
            return RDF_NIL
        head = node = self._fresh()
        for i, member in enumerate(members):
            o = self._object(member, g)
            if o is None:
                raise Unsupported("relative IRI in a list")
            rest = RDF_NIL if i == len(members) - 1 else self._fresh()
            self.quads.append((node, RDF_FIRST, o, g))
            self.quads.append((node, RDF_REST, rest, g))
            node = rest
        return head

    def _value(self, item: dict[str, Any]) -> str:
        """pyld ``_object_to_rdf`` for a value object, as an N-Quads literal."""
        value = item["@value"]
        datatype = item.get("@type")
        if datatype == "@json":
            return _literal(_json_literal(value), RDF_JSON)
        if type(value) is str and datatype != XSD_DOUBLE:
            if self._i18n and "@direction" in item:
                language = item.get("@language", "")
                return f'"{escape_literal(value)}"^^<{I18N}{language}_{item["@direction"]}>'
            if "@language" in item:
                language = item["@language"]
                if language:
                    return f'"{escape_literal(value)}"@{language}'
                return _literal(value, datatype or RDF_LANGSTRING)
            return _literal(value, datatype)
        return self._number(value, datatype)

    def _number(self, value: Any, datatype: str | None) -> str:
        """The non-string branches of pyld ``_object_to_rdf``, in pyld's order."""
        if isinstance(value, bool):
            return _literal("true" if value else "false", datatype or XSD_BOOLEAN)
        if _is_double(value):
            return _literal(_double(value), datatype or XSD_DOUBLE)
        if datatype == XSD_DOUBLE:
            try:
                number = float(value)
            except (ValueError, TypeError):
                return _literal(_text(value), XSD_DOUBLE)
            return _literal(_double(number), XSD_DOUBLE)
        if self._json_11 and _is_integer(value) and abs(value) >= 1e21:
            return _literal(_double(value), datatype or XSD_DOUBLE)
        if _is_integer(value):
            return _literal(str(int(value)), datatype or XSD_INTEGER)
        raise Unsupported(f"unexpected literal value {type(value).__name__}")


_UNSET: Final = object()
_IRI_TERMS: dict[str, str | None] = {}
MAX_IRI_TERMS: Final = 8192
MAX_IRI_TERM_CHARS: Final = 256  # longer IRIs are not memoized


def _iri_term(iri: str) -> str | None:
    """``<iri>``, or None when pyld would not treat it as absolute (memoized, bounded)."""
    term = _IRI_TERMS.get(iri, _UNSET)
    if term is _UNSET:
        term = f"<{iri}>" if is_absolute_iri(iri) else None
        if len(iri) <= MAX_IRI_TERM_CHARS:
            if len(_IRI_TERMS) >= MAX_IRI_TERMS:
                _IRI_TERMS.clear()
            _IRI_TERMS[iri] = term
    return term  # type: ignore[return-value]


_NO_DEDUPE: Final = ("list",)  # lists are always added (pyld: allowDuplicate)


def _value_key(item: dict[str, Any]) -> tuple[Any, ...] | None:
    """What pyld's ``compare_values`` compares for a value object, hashable; None if it
    cannot be hashed faithfully (a JSON literal, or NaN, which equals nothing)."""
    v = item["@value"]
    kind = type(v)
    if kind is dict or kind is list or (kind is float and v != v):
        return None
    # bool is told apart from int (pyld's strict equality); 1 and 1.0 compare equal.
    return ("value", item.get("@type"), item.get("@language"), item.get("@index"), kind is bool, v)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise Unsupported("non-string literal")
    return value


def _same_value(a: Any, b: Any) -> bool:
    """pyld ``compare_values``."""
    if a is b:
        return True
    a_obj, b_obj = type(a) is dict, type(b) is dict
    if not a_obj and not b_obj:
        return _strict_eq(a, b)
    if a_obj and b_obj and "@value" in a and "@value" in b:
        return (
            a.get("@type") == b.get("@type")
            and a.get("@language") == b.get("@language")
            and a.get("@index") == b.get("@index")
            and _strict_eq(a["@value"], b["@value"])
        )
    if a_obj and b_obj:
        ida = a.get("@id")
        return ida is not None and ida == b.get("@id")
    return False


def _strict_eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def expanded_quads(
    expanded: list[Any],
    *,
    processing_mode: str = "json-ld-1.1",
    rdf_direction: str | None = "i18n-datatype",
    strict_graph_names: bool = True,
) -> list[Quad]:
    """The RDF quads of an expanded document (pyld ``to_rdf``, own blank-node labels).

    A named graph whose name is not an absolute IRI is dropped, as pyld does, or
    with ``strict_graph_names`` makes the fast path give up.
    """
    writer = _Writer(processing_mode, rdf_direction, strict_graph_names)
    try:
        writer.element(expanded, "@default", None, None, None, None)
    except Unsupported:
        raise
    except RecursionError as exc:
        raise Unsupported("too deep") from exc
    except Exception as exc:
        raise Unsupported(f"{type(exc).__name__}: {exc}") from exc
    return writer.quads
