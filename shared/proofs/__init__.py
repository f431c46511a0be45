"""Data Integrity proofs: the cryptosuite registry, proof sets/chains, signing.

``SUITES`` is the one place a cryptosuite is registered, keyed by
(proof type, cryptosuite name or ``""`` for legacy proof types).
"""

from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass, field
from typing import Any

from shared.did import ResolveContext, VerificationMethod, dereference_method
from shared.errors import ProofError, SatchelError, VerificationMethodError
from shared.keys import PrivateKey, public_key_from_multikey
from shared.proofs.base import Cryptosuite, add_proof
from shared.proofs.ecdsa import ECDSA_JCS_2019, ECDSA_RDFC_2019
from shared.proofs.ed25519_2020 import ED25519_SIGNATURE_2020
from shared.proofs.eddsa import EDDSA_JCS_2022, EDDSA_RDFC_2022

SUITES: dict[tuple[str, str], Cryptosuite] = {}


def register(suite: Cryptosuite, *aliases: str) -> None:
    """Register ``suite`` under its name (and any legacy ``aliases``)."""
    key_name = suite.name if suite.proof_type == "DataIntegrityProof" else ""
    SUITES[(suite.proof_type, key_name)] = suite
    for alias in aliases:
        SUITES[(suite.proof_type, alias)] = suite


register(EDDSA_RDFC_2022, "eddsa-2022")
register(EDDSA_JCS_2022)
register(ECDSA_RDFC_2019)
register(ECDSA_JCS_2019)
register(ED25519_SIGNATURE_2020)


# Suites imported on first use (ecdsa-sd-2023 needs cbor2); the module registers itself.
_LAZY_SUITES = {("DataIntegrityProof", "ecdsa-sd-2023"): "shared.proofs.ecdsa_sd"}


def _load_lazy(key: tuple[str, str]) -> None:
    module = _LAZY_SUITES.get(key)
    if module is not None and key not in SUITES:
        importlib.import_module(module)


def find_suite(proof: dict[str, Any]) -> Cryptosuite:
    """The registered suite for ``proof``; an unknown type or cryptosuite is an error."""
    ptype = proof.get("type")
    name = proof.get("cryptosuite", "") if ptype == "DataIntegrityProof" else ""
    _load_lazy((str(ptype), str(name)))
    suite = SUITES.get((str(ptype), str(name)))
    if suite is None:
        what = f"cryptosuite {name!r}" if ptype == "DataIntegrityProof" else f"proof type {ptype!r}"
        raise ProofError(f"Unsupported {what}.", code="proof.unsupported")
    return suite


@dataclass
class ProofPolicy:
    """Options of proof verification.

    ``allow_fragment_keys`` weakens issuer-key confirmation (the 1EdTech fixtures'
    convention of an https key id whose fragment *is* the key); it is off unless
    a caller turns it on, and every use is reported as a warning.
    """

    allow_fragment_keys: bool = False


@dataclass
class ProofOutcome:
    """The verification of one proof of a proof set or chain."""

    index: int
    proof_type: str
    cryptosuite: str | None
    verification_method: str
    purpose: str | None
    controller: str | None = None
    key_type: str | None = None
    created: str | None = None
    expires: str | None = None
    challenge: str | None = None
    domain: Any = None
    verified: bool = False
    error: SatchelError | None = None
    warnings: list[str] = field(default_factory=list)


async def resolve_method(
    vm_id: str, purpose: str, ctx: ResolveContext, policy: ProofPolicy
) -> tuple[VerificationMethod, list[str]]:
    """Dereference a verification method; DID URLs only, except the 1EdTech convention."""
    if vm_id.startswith("did:"):
        return await dereference_method(vm_id, purpose, ctx), []
    base, _, fragment = vm_id.partition("#")
    if vm_id.startswith("https://") and fragment.startswith("z") and policy.allow_fragment_keys:
        key = public_key_from_multikey(fragment)
        warning = (
            f"The key was taken from the verification method id {vm_id} (1EdTech convention); "
            f"{base} itself was not asked to confirm it."
        )
        return VerificationMethod(vm_id, "Multikey", base, key, {}), [warning]
    raise VerificationMethodError(
        f"Verification method {vm_id!r} cannot be dereferenced: Satchel confirms issuer keys "
        "through DIDs (did:key, did:jwk, did:web).",
        code="proof.verification-method-unresolvable",
    )


def _proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    raw = document.get("proof")
    proofs = raw if isinstance(raw, list) else [raw] if raw is not None else []
    if not proofs or any(not isinstance(p, dict) or not p for p in proofs):
        raise ProofError(
            "The document carries no proof (missing, empty or {}).", code="proof.missing"
        )
    return proofs


def _secured_for(
    unsecured: dict[str, Any], proof: dict[str, Any], proofs: list[dict[str, Any]]
) -> dict[str, Any]:
    """The document a proof signed: previous proofs of a chain are included."""
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    ids = [previous] if isinstance(previous, str) else previous
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ProofError("previousProof must be a string or list of strings.", code="proof.chain")
    matches = [p for p in proofs if p.get("id") in ids]
    if len(matches) != len(ids):
        raise ProofError(
            "previousProof names a proof that is not in the proof set.", code="proof.chain"
        )
    chained = dict(unsecured)
    chained["proof"] = matches[0] if len(matches) == 1 else matches
    return chained


async def verify_proofs(
    document: dict[str, Any],
    *,
    purpose: str,
    ctx: ResolveContext | None = None,
    policy: ProofPolicy | None = None,
) -> list[ProofOutcome]:
    """Verify every proof of ``document`` (a proof set or chain) for ``purpose``.

    Raises ``ProofError`` only when there is no proof at all; each proof's own
    failure is reported in its ``ProofOutcome``.
    """
    ctx = ctx or ResolveContext()
    policy = policy or ProofPolicy()
    proofs = _proofs_of(document)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    outcomes: list[ProofOutcome] = []
    for index, proof in enumerate(proofs):
        outcome = ProofOutcome(
            index=index,
            proof_type=str(proof.get("type")),
            cryptosuite=proof.get("cryptosuite"),
            verification_method=str(proof.get("verificationMethod", "")),
            purpose=proof.get("proofPurpose"),
            created=proof.get("created"),
            expires=proof.get("expires"),
            challenge=proof.get("challenge"),
            domain=proof.get("domain"),
        )
        outcomes.append(outcome)
        try:
            suite = find_suite(proof)
            if outcome.purpose != purpose:
                raise VerificationMethodError(
                    f"The proof's purpose is {outcome.purpose!r}; {purpose!r} was expected.",
                    code="proof.purpose-mismatch",
                )
            vm, warnings = await resolve_method(outcome.verification_method, purpose, ctx, policy)
            outcome.warnings.extend(warnings)
            outcome.controller = vm.controller
            outcome.key_type = vm.public_key.key_type
            if vm.public_key.key_type not in suite.key_types:
                raise ProofError(
                    f"{suite.name} needs a {'/'.join(sorted(suite.key_types))} key; "
                    f"the verification method holds a {vm.public_key.key_type} key.",
                    code="proof.key-type-mismatch",
                )
            secured = _secured_for(unsecured, proof, proofs)
            result = suite.verify(secured, proof, vm.public_key)
            outcome.warnings.extend(result.warnings)
            outcome.verified = True
        except SatchelError as exc:
            outcome.error = exc
    return outcomes


def _with_suite_context(document: dict[str, Any], context: str | None) -> dict[str, Any]:
    """Add the context a legacy proof type needs to the document, if missing."""
    contexts = document.get("@context")
    if context is None or not isinstance(contexts, list) or context in contexts:
        return document
    return {**document, "@context": [*contexts, context]}


def sign_document(
    document: dict[str, Any],
    key: PrivateKey,
    verification_method: str,
    *,
    suite: str = "eddsa-rdfc-2022",
    purpose: str = "assertionMethod",
    created: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Return ``document`` with a new proof made by ``suite`` (added to any proof set)."""
    _load_lazy(("DataIntegrityProof", suite))
    found = find_suite(
        {"type": "DataIntegrityProof", "cryptosuite": suite}
        if (("DataIntegrityProof", suite) in SUITES)
        else {"type": suite}
    )
    proof_options: dict[str, Any] = {}
    if created is not None:
        proof_options["created"] = created
    proof_options.update(
        {"verificationMethod": verification_method, "proofPurpose": purpose, **options}
    )
    document = _with_suite_context(document, getattr(found, "context", None))
    unsecured = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    previous = options.get("previousProof")
    if previous is not None:
        unsecured = _secured_for(unsecured, {"previousProof": previous}, _proofs_of(document))
    proof = found.sign(unsecured, proof_options, key)
    return add_proof(document, proof)
