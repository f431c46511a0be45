"""DID resolution: a registry of DID methods and verification-method dereferencing.

A DID method is one module exposing an async ``resolve(did, ctx)`` returning the
DID document as a dict, registered in ``RESOLVERS`` below. Dereferencing a
verification method checks what Data Integrity and VC-JOSE require: the method
is in the document, is listed under the proof purpose's relationship, and its
controller is the DID the document describes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.did import jwk as did_jwk
from shared.did import key as did_key
from shared.did.methods import public_key_of_method
from shared.errors import DidError, VerificationMethodError
from shared.keys import PublicKey

if TYPE_CHECKING:  # the fetcher (httpx) is imported only when a DID needs the network
    from shared.fetch import Fetcher


@dataclass
class ResolveContext:
    """What a resolver may use: the guarded fetcher and a per-call cache."""

    fetcher: Fetcher | None = None
    cache: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get_fetcher(self) -> Fetcher:
        """The fetcher to use (the process default unless one was given)."""
        if self.fetcher is None:
            from shared.fetch import default_fetcher

            self.fetcher = default_fetcher()
        return self.fetcher


async def _resolve_web(did: str, ctx: ResolveContext) -> dict[str, Any]:
    from shared.did.web import resolve_did_web

    return await resolve_did_web(did, ctx.get_fetcher())


async def _resolve_key(did: str, ctx: ResolveContext) -> dict[str, Any]:
    return did_key.resolve(did)


async def _resolve_jwk(did: str, ctx: ResolveContext) -> dict[str, Any]:
    return did_jwk.resolve(did)


Resolver = Callable[[str, ResolveContext], Awaitable[dict[str, Any]]]

# The one place DID methods are registered.
RESOLVERS: dict[str, Resolver] = {
    "key": _resolve_key,
    "jwk": _resolve_jwk,
    "web": _resolve_web,
}


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A dereferenced verification method and its decoded public key."""

    id: str
    type: str
    controller: str
    public_key: PublicKey
    document: dict[str, Any]


def did_method(did: str) -> str:
    """The method name of ``did`` (``key`` for ``did:key:...``)."""
    parts = did.split(":", 2)
    if len(parts) < 3 or parts[0] != "did" or not parts[1] or not parts[2]:
        raise DidError(f"{did!r} is not a DID.", code="did.invalid")
    return parts[1]


async def resolve_did(did: str, ctx: ResolveContext | None = None) -> dict[str, Any]:
    """Resolve ``did`` (no fragment) to its DID document."""
    ctx = ctx or ResolveContext()
    if did in ctx.cache:
        return ctx.cache[did]
    method = did_method(did)
    resolver = RESOLVERS.get(method)
    if resolver is None:
        raise DidError(
            f"DID method 'did:{method}' is not supported (supported: "
            + ", ".join(f"did:{m}" for m in sorted(RESOLVERS))
            + ").",
            code="did.method-unsupported",
        )
    doc = await resolver(did, ctx)
    ctx.cache[did] = doc
    return doc


def _absolute(ref: str, base: str) -> str:
    return base + ref if ref.startswith("#") else ref


def _find_method(doc: dict[str, Any], vm_id: str) -> dict[str, Any] | None:
    base = str(doc.get("id", ""))
    candidates: list[Any] = []
    for prop in (
        "verificationMethod",
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "publicKey",
    ):
        value = doc.get(prop)
        if isinstance(value, list):
            candidates.extend(value)
        elif isinstance(value, dict):
            candidates.append(value)
    for entry in candidates:
        if isinstance(entry, dict) and _absolute(str(entry.get("id", "")), base) == vm_id:
            return entry
    return None


def _listed_under(doc: dict[str, Any], purpose: str, vm_id: str) -> bool:
    base = str(doc.get("id", ""))
    value = doc.get(purpose)
    entries = value if isinstance(value, list) else [value] if value is not None else []
    for entry in entries:
        ref = (
            entry
            if isinstance(entry, str)
            else entry.get("id")
            if isinstance(entry, dict)
            else None
        )
        if isinstance(ref, str) and _absolute(ref, base) == vm_id:
            return True
    return False


async def dereference_method(
    vm_id: str, purpose: str, ctx: ResolveContext | None = None
) -> VerificationMethod:
    """Resolve a ``did:...#fragment`` verification method for ``purpose``.

    Raises ``VerificationMethodError`` when the method is absent, not listed under
    ``purpose`` (e.g. ``assertionMethod``), or controlled by someone else.
    """
    if not isinstance(vm_id, str) or not vm_id.startswith("did:"):
        raise VerificationMethodError(
            f"Verification method {vm_id!r} is not a DID URL.", code="proof.verification-method"
        )
    did = vm_id.split("#", 1)[0].split("?", 1)[0]
    doc = await resolve_did(did, ctx)
    vm_id_abs = vm_id
    if "#" not in vm_id:
        # A bare did:key / did:jwk names its one key (as the 1EdTech validator accepts).
        methods = doc.get("verificationMethod")
        if did_method(did) in ("key", "jwk") and isinstance(methods, list) and len(methods) == 1:
            vm_id_abs = _absolute(str(methods[0].get("id", "")), did)
    entry = _find_method(doc, vm_id_abs)
    if entry is None:
        raise VerificationMethodError(
            f"The DID document of {did} has no verification method {vm_id}.",
            code="proof.verification-method-missing",
        )
    if not _listed_under(doc, purpose, vm_id_abs):
        raise VerificationMethodError(
            f"{vm_id} is not listed under '{purpose}' in the DID document of {did}, so it may "
            f"not be used for that purpose.",
            code="proof.purpose-mismatch",
        )
    controller = str(entry.get("controller", ""))
    if controller != did:
        raise VerificationMethodError(
            f"{vm_id} is controlled by {controller!r}, not by {did}.",
            code="proof.controller-mismatch",
        )
    return VerificationMethod(
        id=vm_id_abs,
        type=str(entry.get("type", "")),
        controller=controller,
        public_key=public_key_of_method(entry),
        document=doc,
    )
