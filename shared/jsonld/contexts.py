"""Processed JSON-LD contexts, memoized per process.

pyld processes contexts well but re-applies type- and property-scoped contexts on
every node of every call (it caches a processed context only against the exact
active-context object it was applied to, and scoped contexts get a fresh one each
time). Here each processed context is wrapped once in a :class:`ContextInfo` and
the result of applying a local context to it is remembered in a bounded LRU.

The memo key holds everything the result depends on:

* the active context it is applied to (a process-unique serial number);
* the local context: for a URL, the URL and its pinned sha256 (``pin_of``); for an
  inline context, its exact JSON text; for a scoped context, the context and term
  whose definition holds it (the definition is part of that processed context);
* ``override_protected`` and ``propagate``;
* the :class:`Env` itself: document loader, base IRI and processing mode (each
  environment has its own memo).

Context processing is :mod:`shared.jsonld.ctxproc` (pyld's algorithm and checks,
without importing pyld); where it gives up (an error case, ``@import``) pyld's own
``_process_context`` runs. The loader decides what may be loaded (Satchel's never
fetches).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final

from shared.jsonld.ctxproc import ContextProcessor, initial_context
from shared.jsonld.iri import KEYWORDS, Unsupported, expand_iri, is_absolute_iri
from shared.jsonld.lru import Lru

__all__ = ["KEYWORDS", "ContextInfo", "Env", "TermInfo", "Unsupported", "is_absolute_iri"]

MAX_CONTEXTS: Final = 128  # processed contexts remembered per environment
MAX_IRIS_PER_CONTEXT: Final = 512  # memoized IRI expansions per processed context and mode
MAX_CACHED_KEY_CHARS: Final = 256  # longer keys and values are expanded, not memoized
MAX_CACHED_ENTRIES: Final = 50_000  # per environment, over all contexts: then caches restart
MAX_INLINE_CONTEXT_CHARS: Final = 16_384  # larger inline contexts are processed, not memoized

_serials = itertools.count(1)

Loader = Callable[..., dict[str, Any]]


DROPPED, KEYWORD, PROPERTY = 0, 1, 2
# Keywords pyld adds as a single value, not an array.
_SINGLE_VALUED: Final = frozenset({"@index", "@id", "@type", "@value", "@language"})


class TermInfo:
    """What expansion needs to know about one key in one active context."""

    __slots__ = (
        "as_array",
        "coerce",
        "container",
        "direction",
        "graph_wrap",
        "has_list",
        "index",
        "iri",
        "kind",
        "language",
        "map_kind",
        "reverse",
        "scoped",
    )

    def __init__(self, ctx: ContextInfo, key: str | None) -> None:
        iri = ctx.vocab_iri(key)
        self.iri: Any = iri
        if iri is None or type(iri) is not str:
            self.kind = DROPPED
        elif iri in KEYWORDS:
            self.kind = KEYWORD
        else:
            self.kind = PROPERTY if is_absolute_iri(iri) else DROPPED
        self.scoped: Any = ctx.term(key, "@context")
        container = ctx.term(key, "@container")
        self.container: list[Any] = container if type(container) is list else [container]
        self.coerce: Any = ctx.term(key, "@type")
        self.language: Any = ctx.term(key, "@language")
        self.direction: Any = ctx.term(key, "@direction")
        self.index: Any = ctx.term(key, "@index")
        mapping = None if key is None else ctx.mappings.get(key)
        self.reverse = bool(mapping and mapping["reverse"])
        # Derived flags, in the order pyld tests them during expansion.
        self.as_array = iri not in _SINGLE_VALUED
        self.has_list = "@list" in self.container
        self.graph_wrap = (
            "@graph" in self.container
            and "@id" not in self.container
            and "@index" not in self.container
        )
        self.map_kind: str | None = next(
            (c for c in ("@language", "@index", "@id", "@type") if c in self.container), None
        )


class ContextInfo:
    """One processed (pyld) active context, with memoized IRI expansion."""

    __slots__ = (
        "_by_base",
        "_by_vocab",
        "_by_vocab_base",
        "_previous",
        "_terms",
        "base",
        "ctx",
        "env",
        "has_base",
        "json_ld_11",
        "mappings",
        "serial",
        "vocab",
    )

    def __init__(self, env: Env, ctx: Mapping[str, Any]) -> None:
        self.env = env
        self.ctx = ctx
        self.serial = next(_serials)
        self.mappings: Mapping[str, Any] = ctx["mappings"]
        self.vocab: str | None = ctx.get("@vocab")
        self.has_base = "@base" in ctx
        self.base: str | None = ctx.get("@base")
        self.json_ld_11 = str(ctx.get("processingMode")) >= "json-ld-1.1"
        self._previous: ContextInfo | None = None
        self._by_vocab: dict[str, str | None] = {}
        self._by_base: dict[str, str | None] = {}
        self._by_vocab_base: dict[str, str | None] = {}
        self._terms: dict[str | None, TermInfo] = {}

    def forget(self) -> None:
        """Empty this context's IRI and term caches."""
        self._by_vocab.clear()
        self._by_base.clear()
        self._by_vocab_base.clear()
        self._terms.clear()

    @property
    def previous(self) -> ContextInfo:
        """The context a type-scoped context reverts to (itself when there is none)."""
        prev = self._previous
        if prev is None:
            before = self.ctx.get("previousContext")
            prev = self if before is None else self.env.info(before)
            self._previous = prev
        return prev

    @property
    def has_previous(self) -> bool:
        """True when this context came from a non-propagating (type-scoped) context."""
        return bool(self.ctx.get("previousContext"))

    def term(self, key: str | None, entry: str) -> Any:
        """pyld's ``get_context_value``: a term definition's ``entry`` (with defaults)."""
        value = None
        if key is None:
            return None
        if entry in ("@language", "@direction"):
            value = self.ctx.get(entry)
        mapping = self.mappings.get(key, _MISSING)
        if mapping is _MISSING:
            return value
        if mapping is None:
            return None
        return mapping.get(entry, value)

    def term_info(self, key: str | None) -> TermInfo:
        """Everything about ``key`` in this context (memoized)."""
        terms = self._terms
        try:
            return terms[key]
        except KeyError:
            pass
        info = TermInfo(self, key)
        if len(terms) < MAX_IRIS_PER_CONTEXT and self.env.admit(key):
            terms[key] = info
        return info

    def vocab_iri(self, value: Any) -> Any:
        """Expand a key or type-like value against the vocabulary (no base)."""
        if type(value) is not str:
            return value
        cache = self._by_vocab
        try:
            return cache[value]
        except KeyError:
            pass
        result = self._expand(value, True, False)
        if len(cache) < MAX_IRIS_PER_CONTEXT and self.env.admit(value):
            cache[value] = result
        return result

    def base_iri(self, value: Any) -> Any:
        """Expand an ``@id``-like value against the document base (no vocabulary)."""
        if type(value) is not str:
            return value
        cache = self._by_base
        try:
            return cache[value]
        except KeyError:
            pass
        result = self._expand(value, False, True)
        if len(cache) < MAX_IRIS_PER_CONTEXT and self.env.admit(value):
            cache[value] = result
        return result

    def vocab_base_iri(self, value: Any) -> Any:
        """Expand a ``@type``-like value: vocabulary first, then the document base."""
        if type(value) is not str:
            return value
        cache = self._by_vocab_base
        try:
            return cache[value]
        except KeyError:
            pass
        result = self._expand(value, True, True)
        if len(cache) < MAX_IRIS_PER_CONTEXT and self.env.admit(value):
            cache[value] = result
        return result

    def _expand(self, value: str, vocab: bool, relative: bool) -> str | None:
        """IRI expansion (JSON-LD 1.1 API section 5.2.2) exactly as pyld 3.3 does it."""
        base = self.env.base if relative else None
        result: str | None = expand_iri(self.ctx, value, vocab=vocab, base=base)
        return result


_MISSING: Final = object()


class Env:
    """Everything an expansion depends on besides the document, and its context memo.

    ``loader`` is a pyld document loader, ``base`` the document base IRI (pyld's
    ``base`` option; ``""`` for none), ``pin_of`` returns the pinned sha256 of a
    context URL (part of the memo key). Caches are bounded and live as long as the
    environment.
    """

    def __init__(
        self,
        loader: Loader,
        *,
        base: str,
        processing_mode: str = "json-ld-1.1",
        pin_of: Callable[[str], str | None] | None = None,
        max_contexts: int = MAX_CONTEXTS,
    ) -> None:
        self.loader = loader
        self.base = base
        self.processing_mode = processing_mode
        self._pin_of = pin_of or (lambda url: None)
        self._own = ContextProcessor(loader, base, processing_mode)
        self.stats = {"own": 0, "pyld": 0}  # context processings, by who did them
        self._memo: Lru[Hashable, ContextInfo] = Lru(max_contexts)
        self._infos: Lru[int, ContextInfo] = Lru(max_contexts * 2)
        self._initial: ContextInfo | None = None
        self._cached_entries = 0

    def admit(self, key: str | None) -> bool:
        """Whether a per-context cache may keep an entry for ``key`` (bounded memory)."""
        if key is not None and len(key) > MAX_CACHED_KEY_CHARS:
            return False
        self._cached_entries += 1
        if self._cached_entries > MAX_CACHED_ENTRIES:
            for info in self._infos.values():
                info.forget()
            self._cached_entries = 1
        return True

    def initial(self) -> ContextInfo:
        """The initial active context."""
        if self._initial is None:
            self._initial = self.info(initial_context(self.processing_mode))
        return self._initial

    def info(self, ctx: Mapping[str, Any]) -> ContextInfo:
        """The (memoized) wrapper of a pyld active context."""
        found = self._infos.get(id(ctx))
        if found is not None and found.ctx is ctx:
            return found
        made = ContextInfo(self, ctx)
        self._infos.put(id(ctx), made)
        return made

    def local_key(self, local: Any) -> Hashable | None:
        """The memo key of a local context found in a document (None: do not memoize)."""
        if isinstance(local, str):
            return ("url", local, self._pin_of(local))
        if isinstance(local, list) and all(isinstance(u, str) for u in local):
            return ("urls", tuple((u, self._pin_of(u)) for u in local))
        try:
            text = json.dumps(local, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return None
        if len(text) > MAX_INLINE_CONTEXT_CHARS:
            return None
        urls = [u for u in local if isinstance(u, str)] if isinstance(local, list) else []
        return ("json", text, tuple(self._pin_of(u) for u in urls))

    def process(
        self,
        parent: ContextInfo,
        local: Any,
        key: Hashable | None,
        *,
        override_protected: bool = False,
        propagate: bool = True,
    ) -> ContextInfo:
        """Apply ``local`` to ``parent`` (pyld context processing), memoized under ``key``."""
        memo_key = None if key is None else (parent.serial, key, override_protected, propagate)
        if memo_key is not None:
            hit = self._memo.get(memo_key)
            if hit is not None:
                return hit
        try:
            ctx = self._own.process(
                parent.ctx, local, override_protected=override_protected, propagate=propagate
            )
            self.stats["own"] += 1
        except Exception:  # Unsupported, or a pyld error case: pyld decides
            ctx = self._pyld_process(parent.ctx, local, override_protected, propagate)
            self.stats["pyld"] += 1
        result = self.info(ctx)
        if memo_key is not None:
            self._memo.put(memo_key, result)
        return result

    def _pyld_process(
        self, active: Mapping[str, Any], local: Any, override_protected: bool, propagate: bool
    ) -> Mapping[str, Any]:
        """pyld's own context processing (imported only when needed)."""
        from pyld import jsonld
        from pyld.context_resolver import ContextResolver

        options = {
            "documentLoader": self.loader,
            "base": self.base,
            "processingMode": self.processing_mode,
            "isFrame": False,
            "keepFreeFloatingNodes": False,
            "contextResolver": ContextResolver(jsonld._resolved_context_cache, self.loader),
        }
        result: Mapping[str, Any] = jsonld.JsonLdProcessor()._process_context(
            active, local, options, override_protected=override_protected, propagate=propagate
        )
        return result

    def clear(self) -> None:
        """Forget every memoized context (a cold start)."""
        self._memo.clear()
        self._infos.clear()
        self._initial = None
        self._cached_entries = 0
