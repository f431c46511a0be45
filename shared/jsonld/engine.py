"""JSON-LD expansion and conversion to RDF: the fast path, or stock pyld.

Both steps first try the fast path (:mod:`shared.jsonld.fastexpand`,
:mod:`shared.jsonld.fastrdf`); when it gives up (anything unusual, and every
error) the same input goes through stock pyld, which then produces the result
or raises its ``JsonLdError`` exactly as before. No safety policy here: that is
:mod:`shared.jsonld.expand`. ``stats`` counts which path ran (for tests and the
benchmark).
"""

from __future__ import annotations

import copy
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from shared.jsonld.contexts import ContextInfo, Env
from shared.jsonld.fastexpand import FastExpander
from shared.jsonld.fastrdf import expanded_quads
from shared.jsonld.iri import Unsupported
from shared.jsonld.nquads import Quad, iri_term, literal_term

stats: Counter[str] = Counter()


class RelativeGraphName(ValueError):
    """A named graph whose name is not an absolute IRI (with ``strict_graph_names``)."""


_fast_enabled = True


def set_fast_path(enabled: bool) -> None:
    """Turn the fast path on or off for this process (off: stock pyld only)."""
    global _fast_enabled
    _fast_enabled = enabled


def expand(
    document: Any,
    env: Env,
    *,
    on_dropped: Callable[[Any], None] | None = None,
    expand_context: Any = None,
) -> list[Any]:
    """pyld's ``expand(document)`` in ``env``; dropped terms are passed to ``on_dropped``."""
    return expand_with_root(document, env, on_dropped=on_dropped, expand_context=expand_context)[0]


def expand_with_root(
    document: Any,
    env: Env,
    *,
    on_dropped: Callable[[Any], None] | None = None,
    expand_context: Any = None,
) -> tuple[list[Any], ContextInfo | None]:
    """:func:`expand`, and the active context of the top-level node (fast path only)."""
    if _fast_enabled:
        dropped: list[Any] = []
        expander = FastExpander(env, dropped.append)
        try:
            result = expander.expand_document(document, expand_context)
        except Unsupported:
            stats["expand.pyld"] += 1
        else:
            stats["expand.fast"] += 1
            if on_dropped is not None:
                for term in dropped:
                    on_dropped(term)
            return result, expander.root_context
    expanded = pyld_expand(document, env, on_dropped=on_dropped, expand_context=expand_context)
    return expanded, None


def pyld_expand(
    document: Any,
    env: Env,
    *,
    on_dropped: Callable[[Any], None] | None = None,
    expand_context: Any = None,
) -> list[Any]:
    """Stock pyld expansion with ``env``'s loader, base and processing mode."""
    from pyld import jsonld

    processor = jsonld.JsonLdProcessor(on_property_dropped=on_dropped or (lambda _: None))
    options: dict[str, Any] = {
        "documentLoader": env.loader,
        "base": env.base,
        "processingMode": env.processing_mode,
    }
    if expand_context is not None:
        options["expandContext"] = expand_context
    result: list[Any] = processor.expand(document, options)
    return result


def quads(
    expanded: list[Any],
    *,
    processing_mode: str = "json-ld-1.1",
    rdf_direction: str | None = "i18n-datatype",
    strict_graph_names: bool = True,
) -> list[Quad]:
    """The RDF quads of an expanded document (blank-node labels are arbitrary).

    ``strict_graph_names``: a named graph whose name is not an absolute IRI raises
    :class:`RelativeGraphName` (Satchel's policy) instead of being dropped (pyld's
    ``to_rdf``).
    """
    if _fast_enabled:
        try:
            result = expanded_quads(
                expanded,
                processing_mode=processing_mode,
                rdf_direction=rdf_direction,
                strict_graph_names=strict_graph_names,
            )
        except Unsupported:
            stats["rdf.pyld"] += 1
        else:
            stats["rdf.fast"] += 1
            return result
    return pyld_quads(
        expanded,
        processing_mode=processing_mode,
        rdf_direction=rdf_direction,
        strict_graph_names=strict_graph_names,
    )


def pyld_quads(
    expanded: list[Any],
    *,
    processing_mode: str = "json-ld-1.1",
    rdf_direction: str | None = "i18n-datatype",
    strict_graph_names: bool = True,
) -> list[Quad]:
    """pyld's node map and RDF conversion; options as :func:`quads`."""
    from pyld import jsonld

    expanded = copy.deepcopy(expanded)  # pyld's list conversion consumes its input
    processor = jsonld.JsonLdProcessor()
    options: dict[str, Any] = {
        "processingMode": processing_mode,
        "rdfDirection": rdf_direction,
        "produceGeneralizedRdf": False,
    }
    issuer = jsonld.IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    processor._create_node_map(expanded, node_map, "@default", issuer)
    out: list[Quad] = []
    for graph_name, graph in sorted(node_map.items()):
        if graph_name == "@default":
            g = ""
        elif graph_name.startswith("_:"):
            g = graph_name
        elif jsonld._is_absolute_iri(graph_name):
            g = iri_term(graph_name)
        elif strict_graph_names:
            raise RelativeGraphName(graph_name)
        else:
            continue
        for triple in processor._graph_to_rdf(graph, issuer, options):
            out.append(
                (
                    _term(triple["subject"]),
                    _term(triple["predicate"]),
                    _term(triple["object"]),
                    g,
                )
            )
    return out


def is_pyld_error(exc: BaseException) -> bool:
    """Whether ``exc`` is pyld's ``JsonLdError`` (without importing pyld if it never ran)."""
    module = sys.modules.get("pyld.jsonld")
    return module is not None and isinstance(exc, module.JsonLdError)


def _term(obj: dict[str, Any]) -> str:
    kind = obj["type"]
    if kind == "IRI":
        return iri_term(obj["value"])
    if kind == "blank node":
        return str(obj["value"])
    return literal_term(obj["value"], obj.get("datatype"), obj.get("language"))
