"""A fast JSON-LD 1.1 expansion that gives pyld 3.3's output, or gives up.

It follows pyld's expansion algorithm step by step (same key order, same value
handling, same quirks) but keeps processed contexts and IRI expansions in the
memo of :mod:`shared.jsonld.contexts` instead of recomputing them for every
node. Whenever pyld would raise an error, and for anything this module does not
handle (framing, unknown Python types), it raises :class:`Unsupported` and the
caller runs stock pyld instead, which then decides (and reports) exactly as
before. Terms pyld would drop are reported to ``on_dropped`` with the same
argument pyld passes to its ``on_property_dropped`` hook, in the same order.
The result shares no mutable object with the input (as pyld, which copies it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Final

from shared.jsonld.contexts import (
    DROPPED,
    KEYWORD,
    KEYWORDS,
    ContextInfo,
    Env,
    TermInfo,
    Unsupported,
    is_absolute_iri,
)

OnDropped = Callable[[Any], None]

_SCALARS: Final = (str, int, float, bool)
_VALUE_KEYS: Final = frozenset({"@value", "@type", "@index", "@language", "@direction"})


def _add(parent: dict[str, Any], prop: str, value: Any, as_array: bool) -> None:
    """pyld's ``add_value`` with duplicates allowed."""
    if type(value) is list:
        if not value and as_array and prop not in parent:
            parent[prop] = []
        for v in value:
            _add(parent, prop, v, as_array)
        return
    current = parent.get(prop, _ABSENT)
    if current is _ABSENT:
        parent[prop] = [value] if as_array else value
    elif type(current) is list:
        current.append(value)
    else:
        parent[prop] = [current, value]


_ABSENT: Final = object()


def _as_list(value: Any) -> list[Any]:
    return value if type(value) is list else [value]


class FastExpander:
    """One expansion (not reentrant); ``expand_document`` is the entry point."""

    __slots__ = ("_root", "env", "on_dropped", "root_context")

    def __init__(self, env: Env, on_dropped: OnDropped | None = None) -> None:
        self.env = env
        self.on_dropped = on_dropped
        self._root: Any = None
        # The active context the document's top-level node object was expanded in.
        self.root_context: ContextInfo | None = None

    # -- entry point ------------------------------------------------------------

    def expand_document(self, document: Any, expand_context: Any = None) -> list[Any]:
        """Expanded form of ``document`` (pyld's ``expand`` result)."""
        env = self.env
        ctx = env.initial()
        if expand_context is not None:
            local = expand_context
            if isinstance(local, dict) and "@context" in local:
                local = local["@context"]
            key = env.local_key(local)
            ctx = env.process(ctx, local, None if key is None else ("expandContext", key))
        self._root = document
        try:
            expanded = self._expand(ctx, None, document, False, False, None)
        except Unsupported:
            raise
        except RecursionError as exc:
            raise Unsupported("too deep") from exc
        except Exception as exc:  # any pyld error or quirk: let pyld decide
            raise Unsupported(f"{type(exc).__name__}: {exc}") from exc
        if type(expanded) is dict and "@graph" in expanded and len(expanded) == 1:
            expanded = expanded["@graph"]
        elif expanded is None:
            expanded = []
        return _as_list(expanded)

    # -- the expansion algorithm --------------------------------------------------

    def _expand(
        self,
        ctx: ContextInfo,
        prop: str | None,
        element: Any,
        inside_list: bool,
        inside_index: bool,
        type_scoped: ContextInfo | None,
    ) -> Any:
        if element is None:
            return None
        kind = type(element)
        if kind is list:
            inside_list = inside_list or "@list" in ctx.term_info(prop).container
            out: list[Any] = []
            for item in element:
                e = self._expand(ctx, prop, item, inside_list, inside_index, type_scoped)
                if inside_list and type(e) is list:
                    e = {"@list": e}
                if e is not None:
                    if type(e) is list:
                        out.extend(e)
                    else:
                        out.append(e)
            return out
        if kind is not dict:
            if kind not in _SCALARS:
                raise Unsupported(f"unexpected {kind.__name__} in the document")
            if not inside_list and (prop is None or ctx.term_info(prop).iri == "@graph"):
                return None
            return self._expand_value(ctx, prop, element)
        return self._expand_node(ctx, prop, element, inside_list, inside_index, type_scoped)

    def _expand_node(
        self,
        ctx: ContextInfo,
        prop: str | None,
        element: dict[str, Any],
        inside_list: bool,
        inside_index: bool,
        type_scoped: ContextInfo | None,
    ) -> Any:
        env = self.env
        info = ctx.term_info(prop)
        expanded_prop = info.iri
        scoped = info.scoped
        source = ctx
        if type_scoped is None and ctx.has_previous:
            type_scoped = ctx
        must_revert = not inside_index
        if (
            must_revert
            and type_scoped is not None
            and len(element) <= 2
            and "@context" not in element
        ):
            for key in sorted(element):
                e = type_scoped.vocab_iri(key)
                if e == "@value":
                    must_revert = False
                    ctx = type_scoped
                    break
                if e == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert:
            ctx = ctx.previous
        if scoped is not None:
            ctx = env.process(
                ctx, scoped, ("property", source.serial, prop), override_protected=True
            )
        ctx, type_key, type_scoped = self._prepare(ctx, element)
        if element is self._root:
            self.root_context = ctx
        result: dict[str, Any] = {}
        self._expand_object(
            ctx, prop, expanded_prop, element, result, inside_list, type_key, type_scoped
        )
        return _finish_node(ctx, result, element, expanded_prop, prop, inside_list)

    def _prepare(
        self, ctx: ContextInfo, element: dict[str, Any]
    ) -> tuple[ContextInfo, str | None, ContextInfo]:
        """Apply the node's own ``@context``, then its type-scoped contexts."""
        env = self.env
        if "@context" in element:
            local = element["@context"]
            if type(local) is dict and len(local) == 1 and "@context" in local:
                raise Unsupported("keyword redefinition")
            ctx = env.process(ctx, local, env.local_key(local))
        type_scoped = ctx
        type_key: str | None = None
        for key in sorted(element):
            if ctx.vocab_iri(key) != "@type":
                continue
            type_key = type_key or key
            types = sorted(t for t in _as_list(element[key]) if type(t) is str)
            for t in types:
                scoped = type_scoped.term_info(t).scoped
                if scoped is not None and scoped is not False:
                    ctx = env.process(ctx, scoped, ("type", type_scoped.serial, t), propagate=False)
        return ctx, type_key, type_scoped

    def _expand_object(
        self,
        ctx: ContextInfo,
        prop: str | None,
        expanded_prop: Any,
        element: dict[str, Any],
        parent: dict[str, Any],
        inside_list: bool,
        type_key: str | None,
        type_scoped: ContextInfo,
    ) -> None:
        env = self.env
        nests: list[tuple[str, ContextInfo]] = []
        unexpanded_value: Any = None
        is_json_type = False
        if type_key is not None and type_key in element:
            t = element[type_key]
            if t and type(t) is list:
                t = t[0]
            is_json_type = ctx.vocab_iri(t) == "@json"
        for key in sorted(element):
            if key == "@context":
                continue
            value = element[key]
            info = ctx.term_info(key)
            ep = info.iri
            if info.kind == DROPPED:
                if self.on_dropped is not None:
                    self.on_dropped(ep)
                continue
            if info.kind == KEYWORD:
                if expanded_prop == "@reverse":
                    raise Unsupported("keyword in a reverse map")
                if ep in parent and ep != "@included" and ep != "@type":
                    raise Unsupported("colliding keywords")
                if ep == "@id":
                    if type(value) is not str:
                        raise Unsupported("invalid @id value")
                    _add(parent, "@id", ctx.base_iri(value), False)
                    continue
                if ep == "@type":
                    self._expand_type(parent, value, type_scoped)
                    continue
                if ep == "@included" and ctx.json_ld_11:
                    included = _as_list(self._expand(ctx, prop, value, False, False, None))
                    if not all(_is_node(v) for v in included):
                        raise Unsupported("invalid @included value")
                    _add(parent, "@included", included, True)
                    continue
                if ep == "@graph" and type(value) is not dict and type(value) is not list:
                    raise Unsupported("invalid @graph value")
                if ep == "@value":
                    unexpanded_value = value
                    if is_json_type and ctx.json_ld_11:
                        parent["@value"] = copy.deepcopy(value)
                    elif type(value) is list or type(value) is dict:
                        raise Unsupported("invalid value object value")
                    else:
                        _add(parent, "@value", value, False)
                    continue
                if ep == "@language":
                    if value is None:
                        continue
                    if type(value) is not str:
                        raise Unsupported("invalid language-tagged string")
                    _add(parent, "@language", value.lower(), False)
                    continue
                if ep == "@direction":
                    if value not in ("ltr", "rtl") or type(value) is not str:
                        raise Unsupported("invalid base direction")
                    _add(parent, "@direction", value, False)
                    continue
                if ep == "@index":
                    if type(value) is not str:
                        raise Unsupported("invalid @index value")
                    _add(parent, "@index", value, False)
                    continue
                if ep == "@reverse":
                    self._expand_reverse_keyword(ctx, parent, value, inside_list)
                    continue
            term_ctx = ctx
            scoped = info.scoped
            if scoped is not None:
                term_ctx = env.process(
                    ctx, scoped, ("property", ctx.serial, key), override_protected=True
                )
            if ep == "@nest":
                nests.append((key, term_ctx))
                continue
            container = info.container
            map_kind = info.map_kind if type(value) is dict else None
            if map_kind == "@language":
                ev: Any = _language_map(term_ctx, value, info.direction)
            elif map_kind == "@index":
                index_key = term_ctx.term_info(key).index
                if index_key is None:
                    index_key = "@index"
                property_index = None
                if index_key != "@index":
                    property_index = (
                        ctx.vocab_iri(index_key)
                        if env.base
                        else ctx._expand(index_key, False, False)
                    )
                ev = self._index_map(
                    term_ctx, key, value, index_key, "@graph" in container, property_index
                )
            elif map_kind == "@id":
                ev = self._index_map(term_ctx, key, value, "@id", "@graph" in container, None)
            elif map_kind == "@type":
                ev = self._index_map(term_ctx.previous, key, value, "@type", False, None)
            elif ep == "@list" or ep == "@set":
                is_list = ep == "@list"
                next_prop = None if is_list and expanded_prop == "@graph" else prop
                ev = self._expand(term_ctx, next_prop, value, is_list, False, None)
            elif info.coerce == "@json":
                ev = {"@type": "@json", "@value": copy.deepcopy(value)}
            elif term_ctx is ctx and type(value) in _SCALARS:
                # _expand of a scalar, inlined: dropped under @graph, else value expansion.
                ev = None if ep == "@graph" else self._value(ctx, info, value)
            else:
                ev = self._expand(term_ctx, key, value, False, False, None)
            if ev is None and ep != "@value":
                continue
            if info.has_list and ep != "@list" and not (type(ev) is dict and "@list" in ev):
                ev = {"@list": _as_list(ev)}
            if info.graph_wrap:
                ev = [{"@graph": [v]} for v in _as_list(ev)]
            if (info if term_ctx is ctx else term_ctx.term_info(key)).reverse:
                reverse = parent.setdefault("@reverse", {})
                for item in _as_list(ev):
                    if type(item) is dict and ("@value" in item or "@list" in item):
                        raise Unsupported("invalid reverse property value")
                    _add(reverse, ep, item, True)
                continue
            _add(parent, ep, ev, info.as_array)
        if (
            "@value" in parent
            and (type(unexpanded_value) is dict or type(unexpanded_value) is list)
            and not (parent.get("@type") == "@json" and ctx.json_ld_11)
        ):
            raise Unsupported("invalid value object value")
        for key, term_ctx in nests:
            for nested in _as_list(element[key]):
                if type(nested) is not dict:
                    raise Unsupported("invalid @nest value")
                nctx, ntype_key, ntype_scoped = self._prepare(term_ctx, nested)
                if any(nctx.vocab_iri(k) == "@value" for k in nested):
                    raise Unsupported("invalid @nest value")
                self._expand_object(
                    nctx, prop, expanded_prop, nested, parent, inside_list, ntype_key, ntype_scoped
                )

    def _expand_type(self, parent: dict[str, Any], value: Any, type_scoped: ContextInfo) -> None:
        if value is None:
            _add(parent, "@type", None, False)
            return
        if type(value) is str:
            _add(parent, "@type", type_scoped.vocab_base_iri(value), False)
            return
        if type(value) is not list or not all(type(v) is str for v in value):
            raise Unsupported("invalid type value")
        _add(parent, "@type", [type_scoped.vocab_base_iri(v) for v in value], False)

    def _expand_reverse_keyword(
        self, ctx: ContextInfo, parent: dict[str, Any], value: Any, inside_list: bool
    ) -> None:
        if type(value) is not dict:
            raise Unsupported("invalid @reverse value")
        expanded = self._expand(ctx, "@reverse", value, inside_list, False, None)
        if type(expanded) is not dict:
            raise Unsupported("unexpected @reverse expansion")
        if "@reverse" in expanded:
            for rprop, rvalue in expanded["@reverse"].items():
                _add(parent, rprop, rvalue, True)
        reverse_map = parent.get("@reverse")
        for rprop, items in expanded.items():
            if rprop == "@reverse":
                continue
            if reverse_map is None:
                reverse_map = parent["@reverse"] = {}
            _add(reverse_map, rprop, [], True)
            for item in items:
                if type(item) is dict and ("@value" in item or "@list" in item):
                    raise Unsupported("invalid reverse property value")
                _add(reverse_map, rprop, item, True)

    def _index_map(
        self,
        ctx: ContextInfo,
        prop: str,
        value: dict[str, Any],
        index_key: str,
        as_graph: bool,
        property_index: Any,
    ) -> list[Any]:
        env = self.env
        out: list[Any] = []
        is_type_index = index_key == "@type"
        for k in sorted(value):
            v = value[k]
            if is_type_index:
                scoped = ctx.term_info(k).scoped
                if scoped is not None:
                    ctx = env.process(ctx, scoped, ("type", ctx.serial, k), propagate=False)
            items = self._expand(ctx, prop, _as_list(v), False, True, None)
            if property_index:
                expanded_key = "@none" if k == "@none" else self._expand_value(ctx, index_key, k)
            else:
                expanded_key = ctx.vocab_iri(k)
            if index_key == "@id":
                k = ctx.base_iri(k)
            elif is_type_index:
                k = expanded_key
            for item in items:
                if as_graph and not _is_graph(item):
                    item = {"@graph": [item]}
                if is_type_index:
                    if expanded_key == "@none":
                        pass
                    elif item.get("@type"):
                        item["@type"] = [k, *item["@type"]]
                    else:
                        item["@type"] = [k]
                elif (
                    type(item) is dict
                    and "@value" in item
                    and "@language" not in index_key
                    and "@type" not in index_key
                    and "@index" not in index_key
                ):
                    raise Unsupported("invalid value object")
                elif property_index:
                    if expanded_key != "@none":
                        _add(item, property_index, expanded_key, True)  # pyld appends
                elif expanded_key != "@none" and index_key not in item:
                    item[index_key] = k
                out.append(item)
        return out

    def _expand_value(self, ctx: ContextInfo, prop: str | None, value: Any) -> Any:
        """Value expansion (pyld ``_expand_value``)."""
        if value is None:
            return None
        return self._value(ctx, ctx.term_info(prop), value)

    def _value(self, ctx: ContextInfo, info: TermInfo, value: Any) -> Any:
        """Value expansion of a non-null ``value`` of the property described by ``info``."""
        ep = info.iri
        if ep == "@id":
            return ctx.base_iri(value)
        if ep == "@type":
            return ctx.vocab_base_iri(value)
        coerce = info.coerce
        is_str = type(value) is str
        if (coerce == "@id" or ep == "@graph") and is_str:
            return {"@id": ctx.base_iri(value)}
        if coerce == "@vocab" and is_str:
            return {"@id": ctx.vocab_base_iri(value)}
        if ep in KEYWORDS:
            return value
        out: dict[str, Any] = {}
        if coerce is not None and coerce != "@id" and coerce != "@vocab" and coerce != "@none":
            out["@type"] = coerce
        elif is_str:
            language = info.language
            if language is not None:
                out["@language"] = language
            direction = info.direction
            if direction is not None:
                out["@direction"] = direction
        out["@value"] = value
        return out


def _language_map(ctx: ContextInfo, value: dict[str, Any], direction: Any) -> list[Any]:
    out: list[Any] = []
    for key in sorted(value):
        expanded_key = ctx.vocab_iri(key)
        for item in _as_list(value[key]):
            if item is None:
                continue
            if type(item) is not str:
                raise Unsupported("invalid language map value")
            v: dict[str, Any] = {"@value": item}
            if expanded_key != "@none":
                v["@language"] = key.lower()
            if direction:
                v["@direction"] = direction
            out.append(v)
    return out


def _is_node(v: Any) -> bool:
    """pyld ``_is_subject``: a node object with more than an ``@id``."""
    if type(v) is not dict or "@value" in v or "@set" in v or "@list" in v:
        return False
    return len(v) > 1 or "@id" not in v


def _is_graph(v: Any) -> bool:
    return (
        type(v) is dict
        and "@graph" in v
        and len([k for k in v if k != "@id" and k != "@index"]) == 1
    )


def _finish_node(
    ctx: ContextInfo,
    result: dict[str, Any],
    element: dict[str, Any],
    expanded_prop: Any,
    prop: str | None,
    inside_list: bool,
) -> Any:
    """The checks and clean-ups at the end of pyld's ``_expand`` for an object."""
    count = len(result)
    out: Any = result
    if "@value" in result:
        if "@type" in result and ("@language" in result or "@direction" in result):
            raise Unsupported("invalid value object")
        if any(k not in _VALUE_KEYS for k in result):
            raise Unsupported("invalid value object")
        if "@type" in result:
            if any(ctx.vocab_iri(k) == "@type" and type(v) is list for k, v in element.items()):
                raise Unsupported("invalid typed value")
            if result["@type"] is None:
                del result["@type"]
        values = _as_list(result["@value"])
        types = _as_list(result["@type"]) if "@type" in result else []
        if ctx.json_ld_11 and "@json" in types and len(types) == 1:
            pass
        elif result["@value"] is None:
            out = None
        elif "@language" in result and not all(
            type(v) is str or (type(v) is dict and not v) for v in values
        ):
            raise Unsupported("invalid language-tagged value")
        elif not all(
            (type(t) is dict and not t)
            or (type(t) is str and is_absolute_iri(t) and not t.startswith("_:"))
            for t in types
        ):
            raise Unsupported("invalid typed value")
    elif "@type" in result:
        if result["@type"] is None:
            raise Unsupported("invalid type value")
        if type(result["@type"]) is not list:
            result["@type"] = [result["@type"]]
    elif "@set" in result or "@list" in result:
        if count > 1 and not (count == 2 and "@index" in result):
            raise Unsupported("invalid set or list object")
        if "@set" in result:
            out = result["@set"]
            count = len(out)
    elif count == 1 and "@language" in result:
        out = None
    if (
        type(out) is dict
        and not inside_list
        and (prop is None or expanded_prop == "@graph")
        and (count == 0 or "@value" in out or "@list" in out or (count == 1 and "@id" in out))
    ):
        out = None
    return out
