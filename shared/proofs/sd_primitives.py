"""Data Integrity selective-disclosure functions (vc-di-ecdsa, "Selective Disclosure Functions").

JSON pointer selection of compact JSON-LD, skolemization of blank nodes as
``urn:bnid:`` IRIs (so that a selection keeps the identity of its nodes),
canonicalization with blank-node label replacement (e.g. by HMAC digests) and
grouping of the canonical N-Quads by selections. Quads are handled as
``shared.jsonld.nquads.Quad`` tuples; label maps hold labels without ``_:``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pyld import jsonld

from shared.errors import JsonLdError, ProofError
from shared.jsonld.expand import expanded_to_quads, safe_expand, to_quads
from shared.jsonld.loader import document_loader
from shared.jsonld.nquads import Quad, serialize_quad
from shared.jsonld.rdfc import canonicalize_with_labels
from shared.keys import b64url_encode

URN_SCHEME: Final = "bnid"

LabelMap = dict[str, str]
"""Blank node label -> replacement label, both without ``_:``."""

LabelMapFactory = Callable[[Mapping[str, str]], LabelMap]
"""Turns a canonical id map (input label -> ``c14nN``) into input label -> new label."""

_HMAC_HASHES: Final = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def _pointer_error(pointer: str, why: str) -> ProofError:
    return ProofError(f"JSON pointer {pointer!r} {why}.", code="proof.sd-pointer", pointer=pointer)


# -- JSON pointers and selection -----------------------------------------------------


def json_pointer_to_paths(pointer: str) -> list[str]:
    """Split an RFC 6901 JSON pointer into unescaped reference tokens."""
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise _pointer_error(str(pointer), "is not a JSON pointer (it must start with '/')")
    if not pointer:
        return []
    paths: list[str] = []
    for token in pointer.split("/")[1:]:
        if "~" in token:
            if re.search(r"~(?![01])", token):
                raise _pointer_error(pointer, "has an invalid '~' escape")
            token = token.replace("~1", "/").replace("~0", "~")
        paths.append(token)
    return paths


class _Hole:
    """An unset element of a sparse selected array (removed before returning)."""


_HOLE: Final = _Hole()


def _is_blank_id(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("_:")


def create_initial_selection(source: Any) -> dict[str, Any]:
    """A selection of ``source`` holding its non-blank ``id`` and its ``type``."""
    selection: dict[str, Any] = {}
    if not isinstance(source, dict):
        return selection
    if "id" in source and not _is_blank_id(source["id"]):
        selection["id"] = source["id"]
    if "type" in source:
        selection["type"] = copy.deepcopy(source["type"])
    return selection


def _list_index(pointer: str, token: str) -> int:
    if not _ARRAY_INDEX.fullmatch(token):
        raise _pointer_error(pointer, f"uses {token!r} as an array index")
    return int(token)


def _child(pointer: str, parent: Any, token: str) -> Any:
    """``parent[token]`` in the document; a missing member is an error."""
    if isinstance(parent, dict):
        if token not in parent:
            raise _pointer_error(pointer, "does not match the document")
        return parent[token]
    if isinstance(parent, list):
        index = _list_index(pointer, token)
        if index >= len(parent):
            raise _pointer_error(pointer, "does not match the document")
        return parent[index]
    raise _pointer_error(pointer, "does not match the document")


def _selected_child(selected: dict[str, Any] | list[Any], token: str) -> Any:
    """``selected[token]`` in the selection, or ``None`` when not selected yet."""
    if isinstance(selected, dict):
        return selected.get(token)
    index = int(token)
    if index < len(selected) and selected[index] is not _HOLE:
        return selected[index]
    return None


def _set_selected(selected: dict[str, Any] | list[Any], token: str, value: Any) -> None:
    if isinstance(selected, dict):
        selected[token] = value
        return
    index = int(token)
    if index >= len(selected):
        selected.extend([_HOLE] * (index + 1 - len(selected)))
    selected[index] = value


def _select_paths(
    pointer: str,
    paths: list[str],
    document: dict[str, Any],
    selection: dict[str, Any],
    arrays: list[list[Any]],
) -> None:
    value: Any = document
    selected_value: Any = selection
    selected_parent: Any = selection
    for token in paths:
        selected_parent = selected_value
        value = _child(pointer, value, token)
        selected_value = _selected_child(selected_parent, token)
        if selected_value is None:
            if isinstance(value, list):
                selected_value = []
                arrays.append(selected_value)
            else:
                selected_value = create_initial_selection(value)
            _set_selected(selected_parent, token, selected_value)
    if isinstance(value, list):
        selected_value = copy.deepcopy(value)
    elif isinstance(value, dict):
        base = selected_value if isinstance(selected_value, dict) else {}
        selected_value = {**base, **copy.deepcopy(value)}
    else:
        selected_value = value
    if not paths:
        selection.update(selected_value)
        return
    _set_selected(selected_parent, paths[-1], selected_value)


def select_json_ld(pointers: Sequence[str], document: dict[str, Any]) -> dict[str, Any] | None:
    """Select the parts of compact JSON-LD ``document`` that ``pointers`` name.

    Every object on the way keeps its non-blank ``id`` and its ``type``; the
    ``@context`` is copied. ``None`` when ``pointers`` is empty.
    """
    if not pointers:
        return None
    arrays: list[list[Any]] = []
    selection = create_initial_selection(document)
    if "@context" in document:
        selection["@context"] = copy.deepcopy(document["@context"])
    for pointer in pointers:
        _select_paths(pointer, json_pointer_to_paths(pointer), document, selection, arrays)
    for array in arrays:
        array[:] = [item for item in array if item is not _HOLE]
    return selection


# -- skolemization --------------------------------------------------------------------


def _skolem_prefix(urn_scheme: str) -> str:
    return f"urn:{urn_scheme}:"


def skolemize_expanded_json_ld(
    expanded: list[Any],
    *,
    urn_scheme: str = URN_SCHEME,
    random_string: str | None = None,
    count: list[int] | None = None,
) -> list[Any]:
    """Give every node object of expanded JSON-LD a ``urn:<scheme>:`` IRI as ``@id``.

    Unlabelled nodes get ``urn:<scheme>:_<random>_<n>``; ``_:x`` becomes
    ``urn:<scheme>:x``. ``count`` is a one-element list shared across calls.
    """
    random_string = random_string or secrets.token_hex(16)
    count = count if count is not None else [0]
    prefix = _skolem_prefix(urn_scheme)
    out: list[Any] = []
    for element in expanded:
        if not isinstance(element, dict) or "@value" in element:
            out.append(copy.deepcopy(element))
            continue
        if "@list" in element:
            raise ProofError(
                "Selective disclosure of documents with JSON-LD lists (@list) is not supported.",
                code="proof.sd-unsupported",
            )
        node: dict[str, Any] = {}
        for prop, value in element.items():
            if isinstance(value, list):
                node[prop] = skolemize_expanded_json_ld(
                    value, urn_scheme=urn_scheme, random_string=random_string, count=count
                )
            else:
                node[prop] = skolemize_expanded_json_ld(
                    [value], urn_scheme=urn_scheme, random_string=random_string, count=count
                )[0]
        types = node.get("@type", [])
        for t in types if isinstance(types, list) else [types]:
            if isinstance(t, str) and t.startswith(prefix):
                raise ProofError(
                    f"The document already uses {prefix} IRIs, which skolemization reserves.",
                    code="proof.sd-unsupported",
                )
        ident = node.get("@id")
        if ident is None:
            node["@id"] = f"{prefix}_{random_string}_{count[0]}"
            count[0] += 1
        elif isinstance(ident, str) and ident.startswith("_:"):
            node["@id"] = prefix + ident[2:]
        elif isinstance(ident, str) and ident.startswith(prefix):
            raise ProofError(
                f"The document already uses {prefix} IRIs, which skolemization reserves.",
                code="proof.sd-unsupported",
            )
        out.append(node)
    return out


def skolemize_compact_json_ld(
    document: dict[str, Any], *, urn_scheme: str = URN_SCHEME, random_string: str | None = None
) -> tuple[list[Any], dict[str, Any]]:
    """Skolemize compact JSON-LD; return (skolemized expanded, skolemized compact)."""
    if "@context" not in document:
        raise JsonLdError(
            "Selective disclosure needs a JSON-LD document with a top-level @context.",
            code="jsonld.invalid",
        )
    expanded = skolemize_expanded_json_ld(
        safe_expand(document), urn_scheme=urn_scheme, random_string=random_string
    )
    try:
        compact: dict[str, Any] = jsonld.compact(
            expanded, {"@context": document["@context"]}, {"documentLoader": document_loader}
        )
    except jsonld.JsonLdError as exc:
        raise JsonLdError(f"JSON-LD compaction failed: {exc}", code="jsonld.invalid") from exc
    return expanded, compact


def _deskolemize_term(term: str, prefix: str) -> str:
    if term.startswith(prefix):
        return "_:" + term[len(prefix) : -1]
    return term


def deskolemize_quads(quads: Iterable[Quad], *, urn_scheme: str = URN_SCHEME) -> list[Quad]:
    """Turn ``<urn:<scheme>:x>`` subjects, objects and graphs back into ``_:x``."""
    prefix = "<" + _skolem_prefix(urn_scheme)
    return [
        (
            _deskolemize_term(s, prefix),
            p,
            _deskolemize_term(o, prefix),
            _deskolemize_term(g, prefix),
        )
        for s, p, o, g in quads
    ]


def skolemize_quads(quads: Iterable[Quad], *, urn_scheme: str = URN_SCHEME) -> list[Quad]:
    """Replace blank nodes ``_:x`` by ``<urn:<scheme>:x>`` (inverse of ``deskolemize_quads``)."""
    prefix = _skolem_prefix(urn_scheme)

    def term(t: str) -> str:
        return f"<{prefix}{t[2:]}>" if t.startswith("_:") else t

    return [(term(s), p, term(o), term(g)) for s, p, o, g in quads]


def to_deskolemized_quads(
    skolemized: dict[str, Any] | list[Any], *, urn_scheme: str = URN_SCHEME
) -> list[Quad]:
    """RDF of a skolemized document (compact dict or expanded list), deskolemized."""
    if isinstance(skolemized, dict):
        return deskolemize_quads(to_quads(skolemized), urn_scheme=urn_scheme)
    return deskolemize_quads(expanded_to_quads(skolemized), urn_scheme=urn_scheme)


def strip_blank_node_prefixes(label_map: Mapping[str, str]) -> LabelMap:
    """A label map without ``_:`` prefixes on its keys and values."""
    return {
        (k[2:] if k.startswith("_:") else k): (v[2:] if v.startswith("_:") else v)
        for k, v in label_map.items()
    }


def relabel_blank_nodes(quads: Iterable[Quad], label_map: Mapping[str, str]) -> list[Quad]:
    """Replace every blank node label by its ``label_map`` value; a missing one is an error."""

    def term(t: str) -> str:
        if not t.startswith("_:"):
            return t
        new = label_map.get(t[2:])
        if new is None:
            raise ProofError(
                f"Blank node {t} has no entry in the label map.", code="proof.sd-label-map"
            )
        return "_:" + new

    return [(term(s), p, term(o), term(g)) for s, p, o, g in quads]


# -- label replacement canonicalization ------------------------------------------------


def create_hmac_id_label_map_function(key: bytes, hash_name: str = "sha256") -> LabelMapFactory:
    """Labels ``u`` + base64url(HMAC(key, c14n label)) (e.g. ``c14n0`` -> ``u3Lv...``)."""
    digestmod = _HMAC_HASHES[hash_name]

    def factory(canonical_id_map: Mapping[str, str]) -> LabelMap:
        return {
            label: "u" + b64url_encode(hmac.new(key, c14n.encode(), digestmod).digest())
            for label, c14n in canonical_id_map.items()
        }

    return factory


def create_label_map_function(label_map: Mapping[str, str]) -> LabelMapFactory:
    """Labels taken from ``label_map`` (c14n label -> label), as a verifier does."""

    def factory(canonical_id_map: Mapping[str, str]) -> LabelMap:
        out: LabelMap = {}
        for label, c14n in canonical_id_map.items():
            new = label_map.get(c14n)
            if new is None:
                raise ProofError(
                    f"The proof's label map has no label for blank node _:{c14n}.",
                    code="proof.sd-label-map",
                )
            out[label] = new
        return out

    return factory


def label_replacement_canonicalize_nquads(
    quads: Iterable[Quad], factory: LabelMapFactory, *, hash_algorithm: str = "sha256"
) -> tuple[list[str], LabelMap]:
    """RDFC-1.0, then relabel blank nodes via ``factory``; return sorted N-Quads and map."""
    unique = list(dict.fromkeys(quads))
    _, canonical_id_map = canonicalize_with_labels(unique, hash_algorithm=hash_algorithm)
    label_map = factory(canonical_id_map)
    if len(set(label_map.values())) != len(label_map):
        raise ProofError(
            "The label map gives two blank nodes the same label.", code="proof.sd-label-map"
        )
    nquads = sorted(serialize_quad(q) for q in relabel_blank_nodes(unique, label_map))
    return nquads, label_map


def label_replacement_canonicalize_json_ld(
    document: dict[str, Any], factory: LabelMapFactory, *, hash_algorithm: str = "sha256"
) -> tuple[list[str], LabelMap]:
    """``label_replacement_canonicalize_nquads`` over the RDF of ``document``."""
    return label_replacement_canonicalize_nquads(
        to_quads(document), factory, hash_algorithm=hash_algorithm
    )


# -- grouping -----------------------------------------------------------------------


@dataclass
class Selection:
    """A pointer selection: its document, deskolemized quads and relabelled N-Quads."""

    document: dict[str, Any] | None
    deskolemized_quads: list[Quad]
    nquads: list[str]


def select_canonical_nquads(
    pointers: Sequence[str],
    label_map: Mapping[str, str],
    skolemized_compact: dict[str, Any],
    *,
    urn_scheme: str = URN_SCHEME,
) -> Selection:
    """Select ``pointers`` from a skolemized compact document as relabelled N-Quads."""
    selection = select_json_ld(pointers, skolemized_compact)
    if selection is None:
        return Selection(None, [], [])
    deskolemized = to_deskolemized_quads(selection, urn_scheme=urn_scheme)
    nquads = [serialize_quad(q) for q in relabel_blank_nodes(deskolemized, label_map)]
    return Selection(selection, deskolemized, nquads)


@dataclass
class Group:
    """Canonical N-Quads (by index) that a group's selection matches, and the rest."""

    matching: dict[int, str] = field(default_factory=dict)
    non_matching: dict[int, str] = field(default_factory=dict)
    deskolemized_quads: list[Quad] = field(default_factory=list)


@dataclass
class Grouped:
    """The result of ``canonicalize_and_group``."""

    groups: dict[str, Group]
    skolemized_expanded: list[Any]
    skolemized_compact: dict[str, Any]
    deskolemized_quads: list[Quad]
    label_map: LabelMap
    nquads: list[str]


def canonicalize_and_group(
    document: dict[str, Any],
    factory: LabelMapFactory,
    group_definitions: Mapping[str, Sequence[str]],
    *,
    hash_algorithm: str = "sha256",
    urn_scheme: str = URN_SCHEME,
    random_string: str | None = None,
) -> Grouped:
    """Canonicalize ``document`` with label replacement and group its N-Quads by pointers.

    ``random_string`` (the skolem IRIs' random part) is random unless given.
    """
    expanded, compact = skolemize_compact_json_ld(
        document, urn_scheme=urn_scheme, random_string=random_string
    )
    deskolemized = to_deskolemized_quads(expanded, urn_scheme=urn_scheme)
    nquads, label_map = label_replacement_canonicalize_nquads(
        deskolemized, factory, hash_algorithm=hash_algorithm
    )
    groups: dict[str, Group] = {}
    for name, pointers in group_definitions.items():
        selection = select_canonical_nquads(pointers, label_map, compact, urn_scheme=urn_scheme)
        selected = set(selection.nquads)
        group = Group(deskolemized_quads=selection.deskolemized_quads)
        for index, nq in enumerate(nquads):
            (group.matching if nq in selected else group.non_matching)[index] = nq
        groups[name] = group
    return Grouped(groups, expanded, compact, deskolemized, label_map, nquads)


def hash_mandatory_nquads(mandatory: Iterable[str], hash_name: str = "sha256") -> bytes:
    """Hash of the UTF-8 bytes of the joined mandatory N-Quads."""
    return hashlib.new(hash_name, "".join(mandatory).encode("utf-8")).digest()
