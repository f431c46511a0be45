"""RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation), with a work limit.

Implements section 4 of https://www.w3.org/TR/rdf-canon/ over quads whose terms
are already canonical N-Quads text (see ``shared.jsonld.nquads``).

Work limit. The algorithm is exponential on crafted "poison" graphs, so every
Hash N-Degree Quads call and every permutation examined is charged to a work
budget, roughly in proportion to its cost:

* a Hash N-Degree Quads call costs ``1`` plus, for each quad it inspects,
  ``1 + len(predicate) // 128`` (long IRIs make the related hashes dearer);
* a permutation costs ``1 + its length + the size of the issuer it copies``.

When the total exceeds ``max_work`` a ``CanonicalizationError`` with code
``canonicalization.limit`` is raised. A unit costs roughly 0.1-0.25 us of CPU.
The default, ``DEFAULT_MAX_WORK`` = 250 000, is reached within about 50 ms:
the W3C suite's clique poison graph (test074) is refused that fast, while its
hardest positive tests (the "evil" graphs 044-046) need about 24 000 units, an
``rdf:List`` of 40 identical values about 72 000, and typical credentials
(blank nodes with unique first-degree hashes) none at all. Digital Bazaar's
rdf-canonize default (``maxWorkFactor`` 1: at most one deep iteration per
non-unique blank node) is stricter than this. The Hash N-Degree recursion is
also capped at ``MAX_DEPTH`` levels to stay clear of Python's recursion limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import Final, Protocol

from shared.errors import CanonicalizationError
from shared.jsonld.nquads import Quad

DEFAULT_MAX_WORK: Final = 250_000
MAX_DEPTH: Final = 200
LIMIT_CODE: Final = "canonicalization.limit"

_CANONICAL_PREFIX: Final = "_:c14n"
_TEMPORARY_PREFIX: Final = "_:b"


class _Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


_HASHES: Final[dict[str, Callable[..., _Hash]]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
}


def _hash_constructor(name: str) -> Callable[..., _Hash]:
    constructor = _HASHES.get(name.lower().replace("-", ""))
    if constructor is None:
        raise CanonicalizationError(
            f"Unsupported RDFC-1.0 hash algorithm {name!r}; use 'sha256' or 'sha384'."
        )
    return constructor


def _utf16_key(line: str) -> bytes:
    return line.encode("utf-16-be", "surrogatepass")


class _Issuer:
    """An identifier issuer; ``issued`` keeps issuance order, ids include ``_:``."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {} if issued is None else issued

    def issue(self, term: str) -> str:
        ident = self.issued.get(term)
        if ident is None:
            ident = f"{self.prefix}{len(self.issued)}"
            self.issued[term] = ident
        return ident

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


def _permutations(items: list[str]) -> Iterator[tuple[str, ...]]:
    """Distinct permutations of ``items`` in lexicographic order.

    Repeated entries (a node related twice with the same related hash) give
    identical paths, so skipping duplicate permutations cannot change the result.
    """
    a = sorted(items)
    n = len(a)
    while True:
        yield tuple(a)
        i = n - 2
        while i >= 0 and a[i] >= a[i + 1]:
            i -= 1
        if i < 0:
            return
        j = n - 1
        while a[j] <= a[i]:
            j -= 1
        a[i], a[j] = a[j], a[i]
        a[i + 1 :] = a[:i:-1]


class _Canonicalizer:
    __slots__ = (
        "bnode_quads",
        "canonical",
        "first_degree",
        "hasher",
        "max_work",
        "mention_cost",
        "quads",
        "utf16",
        "work",
    )

    def __init__(
        self, quads: Iterable[Quad], hash_algorithm: str, max_work: int, utf16: bool
    ) -> None:
        self.hasher = _hash_constructor(hash_algorithm)
        self.max_work = max_work
        self.utf16 = utf16
        self.work = 0
        # An RDF dataset is a set: drop duplicate quads, keep first-seen order.
        self.quads: list[Quad] = list(dict.fromkeys(quads))
        self.canonical = _Issuer(_CANONICAL_PREFIX)
        self.first_degree: dict[str, str] = {}
        self.mention_cost: dict[str, int] = {}
        # Blank node to quads map (each quad listed once per blank node).
        self.bnode_quads: dict[str, list[Quad]] = {}
        bnode_quads = self.bnode_quads
        for q in self.quads:
            s, _, o, g = q
            if s.startswith("_:"):
                lst = bnode_quads.get(s)
                if lst is None:
                    bnode_quads[s] = [q]
                else:
                    lst.append(q)
            if o.startswith("_:") and o != s:
                lst = bnode_quads.get(o)
                if lst is None:
                    bnode_quads[o] = [q]
                else:
                    lst.append(q)
            if g.startswith("_:") and g != s and g != o:
                lst = bnode_quads.get(g)
                if lst is None:
                    bnode_quads[g] = [q]
                else:
                    lst.append(q)

    # -- work accounting ---------------------------------------------------------

    def _spend(self, units: int) -> None:
        self.work += units
        if self.work > self.max_work:
            raise CanonicalizationError(
                "RDF canonicalization needs too many blank-node comparisons "
                f"(work limit {self.max_work} exceeded); refusing a possibly malicious graph.",
                code=LIMIT_CODE,
                max_work=self.max_work,
            )

    # -- 4.6 Hash First Degree Quads -----------------------------------------------

    def _hash_first_degree(self, ref: str) -> str:
        text = self._nquads_text(self.bnode_quads[ref], lambda b: "_:a" if b == ref else "_:z")
        return self.hasher(text.encode()).hexdigest()

    # -- 4.8 Hash N-Degree Quads (with 4.7 Hash Related Blank Node inlined) ----------

    def _hash_n_degree(self, ident: str, issuer: _Issuer, depth: int) -> tuple[str, _Issuer]:
        if depth > MAX_DEPTH:
            raise CanonicalizationError(
                f"RDF canonicalization recursion deeper than {MAX_DEPTH} blank nodes; "
                "refusing a possibly malicious graph.",
                code=LIMIT_CODE,
                max_depth=MAX_DEPTH,
            )
        quads = self.bnode_quads[ident]
        cost = self.mention_cost.get(ident)
        if cost is None:
            # One unit per mention, plus one per 128 characters of predicate hashed.
            cost = 1 + sum(1 + len(q[1]) // 128 for q in quads)
            self.mention_cost[ident] = cost
        self._spend(cost)
        hasher = self.hasher
        canonical = self.canonical.issued
        first_degree = self.first_degree

        # Steps 1-3: related hash -> related blank nodes.
        related_map: dict[str, list[str]] = {}
        for s, p, o, g in quads:
            for term, position in ((s, "s"), (o, "o"), (g, "g")):
                if term == ident or not term.startswith("_:"):
                    continue
                label = canonical.get(term) or issuer.issued.get(term) or first_degree[term]
                data = f"{position}{p}{label}" if position != "g" else f"g{label}"
                related_hash = hasher(data.encode()).hexdigest()
                bucket = related_map.get(related_hash)
                if bucket is None:
                    related_map[related_hash] = [term]
                else:
                    bucket.append(term)

        # Steps 4-5.
        md = hasher()
        for related_hash in sorted(related_map):
            md.update(related_hash.encode())
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in _permutations(related_map[related_hash]):
                self._spend(1 + len(permutation) + len(issuer.issued))
                issuer_copy = issuer.copy()
                path = ""
                recursion_list: list[str] = []
                skip = False
                for related in permutation:
                    c14n = canonical.get(related)
                    if c14n is not None:
                        path += c14n
                    else:
                        temporary = issuer_copy.issued.get(related)
                        if temporary is None:
                            recursion_list.append(related)
                            temporary = issuer_copy.issue(related)
                        path += temporary
                    # Spec: skip if len(path) >= len(chosen) and path > chosen. A shorter
                    # path that already compares greater cannot become smaller, so the
                    # plain comparison prunes the same permutations.
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion_list:
                    result_hash, result_issuer = self._hash_n_degree(
                        related, issuer_copy, depth + 1
                    )
                    path += f"{issuer_copy.issue(related)}<{result_hash}>"
                    issuer_copy = result_issuer
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            md.update(chosen_path.encode())
            assert chosen_issuer is not None  # a bucket is never empty
            issuer = chosen_issuer
        return md.hexdigest(), issuer

    # -- 4.4 Canonicalization algorithm ---------------------------------------------

    def run(self) -> dict[str, str]:
        """Issue canonical identifiers; return blank-node term -> ``_:c14nN``."""
        hash_to_bnodes: dict[str, list[str]] = {}
        for bnode in self.bnode_quads:
            h = self._hash_first_degree(bnode)
            self.first_degree[bnode] = h
            bucket = hash_to_bnodes.get(h)
            if bucket is None:
                hash_to_bnodes[h] = [bnode]
            else:
                bucket.append(bnode)

        shared: list[list[str]] = []
        for h in sorted(hash_to_bnodes):
            bucket = hash_to_bnodes[h]
            if len(bucket) == 1:
                self.canonical.issue(bucket[0])
            else:
                shared.append(bucket)

        for bucket in shared:
            results: list[tuple[str, _Issuer]] = []
            for bnode in bucket:
                if bnode in self.canonical.issued:
                    continue
                temporary = _Issuer(_TEMPORARY_PREFIX)
                temporary.issue(bnode)
                results.append(self._hash_n_degree(bnode, temporary, 0))
            results.sort(key=lambda result: result[0])
            for _, result_issuer in results:
                for bnode in result_issuer.issued:
                    self.canonical.issue(bnode)
        return self.canonical.issued

    def serialize(self) -> str:
        return self._nquads_text(self.quads, self.canonical.issued.__getitem__)

    def _nquads_text(self, quads: Iterable[Quad], relabel: Callable[[str], str]) -> str:
        """Sorted N-Quads text of ``quads`` with every blank node passed through ``relabel``."""
        lines: list[str] = []
        for s, p, o, g in quads:
            if s.startswith("_:"):
                s = relabel(s)
            if o.startswith("_:"):
                o = relabel(o)
            if g:
                if g.startswith("_:"):
                    g = relabel(g)
                lines.append(f"{s} {p} {o} {g} .\n")
            else:
                lines.append(f"{s} {p} {o} .\n")
        if self.utf16:
            lines.sort(key=_utf16_key)
        else:
            lines.sort()
        return "".join(lines)


def _canonicalizer(
    quads: Iterable[Quad], hash_algorithm: str, max_work: int, utf16_order: bool
) -> _Canonicalizer:
    state = _Canonicalizer(quads, hash_algorithm, max_work, utf16_order)
    try:
        state.run()
    except RecursionError as exc:
        raise CanonicalizationError(
            "RDF canonicalization recursion too deep; refusing a possibly malicious graph.",
            code=LIMIT_CODE,
        ) from exc
    except UnicodeEncodeError as exc:
        raise CanonicalizationError(
            "RDF canonicalization input contains text that is not valid Unicode (a lone surrogate)."
        ) from exc
    return state


def _labels(state: _Canonicalizer) -> dict[str, str]:
    return {term[2:]: ident[2:] for term, ident in state.canonical.issued.items()}


def canonicalize_with_labels(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "sha256",
    max_work: int = DEFAULT_MAX_WORK,
    utf16_order: bool = False,
) -> tuple[str, dict[str, str]]:
    """Return the canonical N-Quads document and the issued identifiers map.

    The map relates input blank node identifiers to canonical ones, both without
    ``_:`` (e.g. ``{"b0": "c14n1"}``), in issuance order. Options as
    :func:`canonicalize`.
    """
    state = _canonicalizer(quads, hash_algorithm, max_work, utf16_order)
    return state.serialize(), _labels(state)


def canonicalize(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "sha256",
    max_work: int = DEFAULT_MAX_WORK,
    utf16_order: bool = False,
) -> str:
    """Canonicalize a dataset with RDFC-1.0; return the canonical N-Quads document.

    Duplicate quads are dropped; lines are sorted and each ends in ``\\n``.
    ``hash_algorithm`` ("sha256" or "sha384") is the hash used inside the
    algorithm for blank-node labelling. ``max_work`` bounds the blank-node
    comparison work (see the module docstring; raises ``CanonicalizationError``
    with code ``canonicalization.limit``). ``utf16_order`` sorts by UTF-16 code
    units instead of code points, as the JavaScript rdf-canonize does (applied
    to the first-degree quad lists as well as to the output lines).
    """
    state = _canonicalizer(quads, hash_algorithm, max_work, utf16_order)
    return state.serialize()


def canonical_labels(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "sha256",
    max_work: int = DEFAULT_MAX_WORK,
    utf16_order: bool = False,
) -> dict[str, str]:
    """Return the RDFC-1.0 issued identifiers map (input id -> canonical id, no ``_:``)."""
    state = _canonicalizer(quads, hash_algorithm, max_work, utf16_order)
    return _labels(state)
