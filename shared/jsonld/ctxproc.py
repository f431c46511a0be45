"""JSON-LD 1.1 context processing without pyld: pyld 3.3's results, or ``Unsupported``.

It mirrors pyld's ``_process_context`` / ``_create_term_definition`` / ``_expand_iri``
(same active-context shape: ``mappings`` of term definitions with ``reverse``,
``protected``, ``_prefix``, ``_term_has_colon``, ``@id``, ... so that contexts made
here and by pyld can follow each other), so that verifying a credential needs no
pyld import. Anything pyld would reject, and the rarely used ``@import``, raise
:class:`Unsupported`; the caller then asks pyld, which decides and reports.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from shared.jsonld.iri import KEYWORDS, Unsupported, expand_iri, is_absolute_iri, resolve_iri

MAX_CONTEXT_URLS: Final = 10  # pyld's limit on nested remote contexts
_KEYWORD_LIKE: Final = re.compile(r"^@[a-zA-Z]+$")
_IRI_LIKE_TERM: Final = re.compile(r".*((:[^:])|/)")
_GEN_DELIM_END: Final = re.compile(r".*[:/\?#\[\]@]$")
_PREFIX_FORBIDDEN: Final = re.compile(r".*(:|/)")

Ctx = dict[str, Any]
Loader = Callable[..., dict[str, Any]]


def new_uuid() -> str:
    """An identifier pyld's caches can key a context by (pyld sets ``_uuid``)."""
    return uuid.uuid4().hex


def initial_context(processing_mode: str) -> Ctx:
    """A fresh initial active context."""
    return {"_uuid": new_uuid(), "processingMode": processing_mode, "mappings": {}}


def clone(active: Mapping[str, Any]) -> Ctx:
    """pyld ``_clone_active_context`` (it keeps neither ``processingMode`` nor ``@direction``)."""
    child: Ctx = {"mappings": dict(active["mappings"])}
    for key in ("@base", "previousContext", "@language", "@vocab"):
        if key in active:
            child[key] = active[key]
    return child


def _mode_11(active: Mapping[str, Any]) -> bool:
    return str(active.get("processingMode")) >= "json-ld-1.1"


def _mode_10(active: Mapping[str, Any]) -> bool:
    return bool(active.get("processingMode", "json-ld-1.0") == "json-ld-1.0")


class ContextProcessor:
    """Context processing with one loader, base IRI and processing mode (pyld options)."""

    def __init__(self, loader: Loader, base: str, processing_mode: str) -> None:
        self.loader = loader
        self.base = base
        self.processing_mode = processing_mode

    # -- resolving local contexts (pyld ContextResolver) -----------------------------------

    def _resolve(self, local: Any, base: str, cycles: set[str]) -> list[Any]:
        """The documents ``local`` stands for: dicts, or False for a null context."""
        if isinstance(local, dict) and "@context" in local:
            local = local["@context"]
        out: list[Any] = []
        for item in local if isinstance(local, list) else [local]:
            if isinstance(item, str):
                out.extend(self._remote(item, base, cycles))
            elif item is None or item is False:
                out.append(False)
            elif isinstance(item, dict):
                out.append(item)
            else:
                raise Unsupported("invalid local context")
        return out

    def _remote(self, url: str, base: str, cycles: set[str]) -> list[Any]:
        url = resolve_iri(url, base)
        if len(cycles) > MAX_CONTEXT_URLS or url in cycles:
            raise Unsupported("context overflow or cycle")
        cycles.add(url)
        try:
            remote = self.loader(url, {})
        except Exception as exc:
            raise Unsupported(f"loading {url} failed") from exc
        document = remote.get("document")
        if not isinstance(document, dict) or remote.get("contextUrl"):
            raise Unsupported("remote context is not a plain JSON object")
        context = document.get("@context", {})
        _require_absolute_context_urls(context)
        return self._resolve({"@context": context}, remote.get("documentUrl", url), cycles)

    # -- processing (pyld _process_context) ------------------------------------------------

    def process(
        self,
        active: Mapping[str, Any],
        local: Any,
        *,
        override_protected: bool = False,
        propagate: bool = True,
        cycles: set[str] | None = None,
    ) -> Mapping[str, Any]:
        """The active context after applying ``local`` to ``active``."""
        cycles = set() if cycles is None else cycles
        if isinstance(local, dict) and isinstance(local.get("@context"), list):
            local = local["@context"]
        ctxs = local if isinstance(local, list) else [local]
        if not ctxs:
            return clone(active)
        resolved = self._resolve(local, self.base, set())
        first = resolved[0] if resolved else None
        if isinstance(first, dict) and isinstance(first.get("@propagate"), bool):
            if not (isinstance(ctxs[0], dict) and "@propagate" in ctxs[0]):
                raise Unsupported("@propagate in a remote context")  # pyld fails on it
            propagate = ctxs[0]["@propagate"]
        rval: Mapping[str, Any] = active
        if not propagate and not rval.get("previousContext"):
            made = clone(rval)
            made["previousContext"] = active
            rval = made
        for document in resolved:
            active = rval
            if "_uuid" not in active:
                if not isinstance(active, dict):
                    raise Unsupported("active context without an identifier")
                active["_uuid"] = new_uuid()  # as pyld does (only on contexts made here)
            if document is False:
                if not override_protected and any(_protected(v) for v in rval["mappings"].values()):
                    raise Unsupported("invalid context nullification")
                rval = initial_context(self.processing_mode)
                continue
            rval = self._apply(active, document, override_protected, cycles)
        return rval

    def _apply(
        self,
        active: Mapping[str, Any],
        document: dict[str, Any],
        override_protected: bool,
        cycles: set[str],
    ) -> Ctx:
        """One local context applied to ``active`` (pyld's loop body)."""
        ctx = document.get("@context", document)
        if not isinstance(ctx, dict):
            raise Unsupported("invalid remote context")
        if "@import" in ctx:
            raise Unsupported("@import")
        rval = clone(active)
        defined: dict[str, Any] = {}
        if "@version" in ctx:
            if ctx["@version"] != 1.1 or active.get("processingMode") == "json-ld-1.0":
                raise Unsupported("invalid @version value")
            rval["processingMode"] = "json-ld-1.1"
            rval["@version"] = ctx["@version"]
            defined["@version"] = True
        rval["processingMode"] = rval.get(
            "processingMode", active.get("processingMode", "json-ld-1.1")
        )
        if "@base" in ctx:
            rval["@base"] = self._base(ctx["@base"], active)
            defined["@base"] = True
        if "@vocab" in ctx:
            value = ctx["@vocab"]
            if value is None:
                if "@vocab" not in rval:
                    raise Unsupported("@vocab: null without a vocabulary")  # pyld fails
                del rval["@vocab"]
            elif not isinstance(value, str) or (
                not is_absolute_iri(value) and rval["processingMode"] == "json-ld-1.0"
            ):
                raise Unsupported("invalid vocab mapping")
            else:
                rval["@vocab"] = expand_iri(rval, value, vocab=True, base=self.base)
            defined["@vocab"] = True
        if "@language" in ctx:
            value = ctx["@language"]
            if value is None:
                if "@language" not in rval:
                    raise Unsupported("@language: null without a language")  # pyld fails
                del rval["@language"]
            elif not isinstance(value, str):
                raise Unsupported("invalid default language")
            else:
                rval["@language"] = value.lower()
            defined["@language"] = True
        if "@direction" in ctx:
            value = ctx["@direction"]
            if rval["processingMode"] == "json-ld-1.0":
                raise Unsupported("invalid context entry")
            if value is None:
                if "@direction" not in rval:
                    raise Unsupported("@direction: null without a direction")  # pyld fails
                del rval["@direction"]
            elif value not in ("ltr", "rtl"):
                raise Unsupported("invalid base direction")
            else:
                rval["@direction"] = value
            defined["@direction"] = True
        if "@propagate" in ctx:
            if rval["processingMode"] == "json-ld-1.0" or not isinstance(ctx["@propagate"], bool):
                raise Unsupported("invalid @propagate value")
            defined["@propagate"] = True
        defined["@protected"] = ctx.get("@protected", False)
        if "_uuid" not in rval:
            rval["_uuid"] = new_uuid()
        defined["_uuid"] = True
        terms = _TermDefiner(rval, ctx)
        for key, value in ctx.items():
            terms.define(key, defined, override_protected)
            if isinstance(value, dict) and "@context" in value:
                self._validate_scoped(rval, value["@context"], cycles)
        rval["_uuid"] = new_uuid()
        return rval

    def _base(self, value: Any, active: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise Unsupported("invalid base IRI")
        if is_absolute_iri(value) or active.get("@base") is None:
            return value
        return resolve_iri(value, active["@base"])

    def _validate_scoped(self, rval: Ctx, scoped: Any, cycles: set[str]) -> None:
        """pyld processes every scoped context when its term is defined, to check it."""
        if isinstance(scoped, str):
            url = resolve_iri(scoped, self.base)
            if url in cycles:
                return
            cycles.add(url)
        self.process(rval, scoped, override_protected=True, cycles=cycles)


def _protected(mapping: Any) -> bool:
    if not isinstance(mapping, dict):
        raise Unsupported("null term definition in a nullified context")  # pyld fails
    return bool(mapping.get("protected"))


def _require_absolute_context_urls(context: Any) -> None:
    """pyld rewrites relative context URLs inside remote contexts; Satchel's are absolute."""
    if isinstance(context, str):
        if not is_absolute_iri(context):
            raise Unsupported("relative context URL in a remote context")
    elif isinstance(context, list):
        for item in context:
            _require_absolute_context_urls(item)
    elif isinstance(context, dict):
        for value in context.values():
            if isinstance(value, dict) and "@context" in value:
                _require_absolute_context_urls(value["@context"])


class _TermDefiner:
    """pyld ``_create_term_definition`` for the terms of one local context."""

    def __init__(self, active: Ctx, local: dict[str, Any]) -> None:
        self.active = active
        self.local = local

    def _iri(self, value: Any, defined: dict[str, Any], *, vocab: bool) -> Any:
        """IRI expansion that first defines terms of the local context it depends on."""
        return expand_iri(
            self.active,
            value,
            vocab=vocab,
            local=self.local,
            defined=defined,
            define=lambda term: self.define(term, defined, False),
        )

    def define(self, term: str, defined: dict[str, Any], override_protected: bool) -> None:
        """Define ``term`` (pyld marks it in ``defined``: False while defining, then True)."""
        local, active = self.local, self.active
        if term in defined:
            if defined[term]:
                return
            raise Unsupported("cyclic IRI mapping")
        defined[term] = False
        value = local.get(term, None)
        if (
            term == "@type"
            and isinstance(value, dict)
            and value.get("@container", "@set") == "@set"
            and _mode_11(active)
        ):
            if not value or any(v not in ("@container", "@id", "@protected") for v in value):
                raise Unsupported("keyword redefinition")
        elif term in KEYWORDS:
            raise Unsupported("keyword redefinition")
        elif _KEYWORD_LIKE.match(term):
            return  # ignored (pyld warns), and left "being defined"
        elif term == "":
            raise Unsupported("invalid term definition")
        mappings = active["mappings"]
        previous = mappings.pop(term, None) if term in mappings else None
        value = local[term]
        simple = False
        if value is None or isinstance(value, str):
            simple = True
            value = {"@id": value}
        if not isinstance(value, dict):
            raise Unsupported("invalid term definition")
        mapping: dict[str, Any] = {"reverse": False, "protected": False, "_prefix": False}
        valid = ["@container", "@id", "@language", "@reverse", "@type"]
        if _mode_11(active):
            valid += ["@context", "@direction", "@index", "@nest", "@prefix", "@protected"]
        if any(kw not in valid for kw in value):
            raise Unsupported("invalid term definition")
        colon = term.find(":")
        mapping["_term_has_colon"] = colon > 0
        if "@reverse" in value:
            if "@id" in value or "@nest" in value or not isinstance(value["@reverse"], str):
                raise Unsupported("invalid reverse property")
            if _KEYWORD_LIKE.match(value["@reverse"]):
                self._restore(term, previous)
                return
            iri = self._iri(value["@reverse"], defined, vocab=True)
            if not isinstance(iri, str) or not is_absolute_iri(iri):
                raise Unsupported("invalid IRI mapping")
            mapping["@id"] = iri
            mapping["reverse"] = True
        elif "@id" in value:
            iri = value["@id"]
            if iri and not isinstance(iri, str):
                raise Unsupported("invalid IRI mapping")
            if iri is None:
                mapping["@id"] = None
            elif iri not in KEYWORDS and _KEYWORD_LIKE.match(iri):
                self._restore(term, previous)
                return
            elif iri != term:
                iri = self._iri(iri, defined, vocab=True)
                if not isinstance(iri, str) or not (is_absolute_iri(iri) or iri in KEYWORDS):
                    raise Unsupported("invalid IRI mapping")
                if _IRI_LIKE_TERM.match(term):
                    check = dict(defined)  # pyld defines dependencies in this copy
                    check[term] = True
                    if self._iri(term, check, vocab=True) != iri:
                        raise Unsupported("invalid IRI mapping")
                mapping["@id"] = iri
                mapping["_prefix"] = (
                    simple
                    and not mapping["_term_has_colon"]
                    and (iri.startswith("_:") or bool(_GEN_DELIM_END.match(iri)))
                )
        if "@id" not in mapping:
            if mapping["_term_has_colon"]:
                prefix = term[0:colon]
                if prefix in local:
                    self.define(prefix, defined, False)
                if mappings.get(prefix) is not None:
                    mapping["@id"] = mappings[prefix]["@id"] + term[colon + 1 :]
                else:
                    mapping["@id"] = term
            elif term == "@type":
                mapping["@id"] = term
            else:
                if "@vocab" not in active:
                    raise Unsupported("invalid IRI mapping")
                mapping["@id"] = active["@vocab"] + term
        if value.get("@protected") or (defined.get("@protected") and value.get("@protected", True)):
            mapping["protected"] = True
        if "@type" in value:
            mapping["@type"] = self._type(value["@type"], defined)
        if "@container" in value:
            mapping["@container"] = self._container(value, mapping)
        if "@index" in value:
            index = value["@index"]
            if "@container" not in value or "@index" not in mapping["@container"]:
                raise Unsupported("invalid term definition")
            if not isinstance(index, str) or index.find("@") == 0:
                raise Unsupported("invalid term definition")
            mapping["@index"] = index
        if "@context" in value:
            mapping["@context"] = False if value["@context"] is None else value["@context"]
        if "@language" in value and "@type" not in value:
            language = value["@language"]
            if not (language is None or isinstance(language, str)):
                raise Unsupported("invalid language mapping")
            mapping["@language"] = None if language is None else language.lower()
        if "@prefix" in value:
            if (
                _PREFIX_FORBIDDEN.match(term)
                or mapping["@id"] in KEYWORDS
                or not isinstance(value["@prefix"], bool)
            ):
                raise Unsupported("invalid @prefix")
            mapping["_prefix"] = value["@prefix"]
        if "@direction" in value:
            direction = value["@direction"]
            if direction and direction not in ("ltr", "rtl"):
                raise Unsupported("invalid base direction")
            mapping["@direction"] = direction
        if "@nest" in value:
            nest = value["@nest"]
            if not isinstance(nest, str) or (nest != "@nest" and nest[0] == "@"):
                raise Unsupported("invalid @nest value")
            mapping["@nest"] = nest
        if mapping["@id"] in ("@context", "@preserve"):
            raise Unsupported("invalid keyword alias")
        if previous and previous["protected"] and not override_protected:
            mapping["protected"] = True
            if previous != mapping:
                raise Unsupported("protected term redefinition")
        mappings[term] = mapping
        defined[term] = True

    def _restore(self, term: str, previous: Any) -> None:
        """A keyword-like @id or @reverse: the term is ignored (pyld warns)."""
        mappings = self.active["mappings"]
        if previous:
            mappings[term] = previous
        elif term in mappings:
            del mappings[term]

    def _type(self, type_: Any, defined: dict[str, Any]) -> Any:
        if not isinstance(type_, str):
            raise Unsupported("invalid type mapping")
        if type_ in ("@json", "@none"):
            if _mode_10(self.active):
                raise Unsupported("invalid type mapping")
            return type_
        if type_ in ("@id", "@vocab"):
            return type_
        iri = self._iri(type_, defined, vocab=True)
        if not isinstance(iri, str) or not is_absolute_iri(iri) or iri.startswith("_:"):
            raise Unsupported("invalid type mapping")
        return iri

    def _container(self, value: dict[str, Any], mapping: dict[str, Any]) -> list[Any]:
        raw = value["@container"]
        container = raw if isinstance(raw, list) else [raw]
        valid = ["@list", "@set", "@index", "@language"]
        ok = True
        has_set = "@set" in container
        if _mode_11(self.active):
            valid += ["@graph", "@id", "@type"]
            if "@list" in container:
                if len(container) != 1:
                    raise Unsupported("invalid container mapping")
            elif "@graph" in container:
                if any(kw not in ("@graph", "@id", "@index", "@set") for kw in container):
                    raise Unsupported("invalid container mapping")
            else:
                ok = ok and len(container) <= (2 if has_set else 1)
            if "@type" in container:
                if not mapping.get("@type"):
                    mapping["@type"] = "@id"
                if mapping["@type"] not in ("@id", "@vocab"):
                    raise Unsupported("invalid type mapping")
        else:
            ok = ok and isinstance(raw, str)
        ok = ok and all(kw in valid for kw in container)
        ok = ok and not (has_set and "@list" in container)
        if not ok:
            raise Unsupported("invalid container mapping")
        if mapping["reverse"] and any(kw not in ("@index", "@set") for kw in container):
            raise Unsupported("invalid reverse property")
        return container
