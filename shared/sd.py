"""The holder's side of ecdsa-sd-2023: what may be hidden, and deriving a disclosure.

A credential with a *base* proof is what the holder receives; the verifier only
accepts *derived* proofs. ``disclosable_pointers`` lists the JSON pointers a
learner may choose to reveal (everything that is not mandatory);
``derive_disclosure`` makes the derived credential; ``full_disclosure`` reveals
everything, which is how a wallet checks a base-proofed credential on arrival
(the derived proof reuses the issuer's base signature and every statement
signature, so it verifies only if the base proof is authentic).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.errors import ProofError
from shared.proofs.ecdsa_sd import NAME, derive, parse_base_proof_value
from shared.shapes import as_list

_SKIP_TOP = frozenset({"@context", "proof"})


def sd_base_proof(document: Any) -> dict[str, Any] | None:
    """The ecdsa-sd-2023 *base* proof of ``document``, if it carries exactly one."""
    if not isinstance(document, dict):
        return None
    proofs = [
        p
        for p in as_list(document.get("proof"))
        if isinstance(p, dict) and p.get("cryptosuite") == NAME
    ]
    if len(proofs) != 1:
        return None
    try:
        parse_base_proof_value(proofs[0].get("proofValue"))
    except ProofError:
        return None
    return proofs[0]


def mandatory_pointers(document: dict[str, Any]) -> list[str]:
    """The pointers the issuer made mandatory (always disclosed)."""
    proof = sd_base_proof(document)
    if proof is None:
        raise ProofError("The credential has no ecdsa-sd-2023 base proof.", code="proof.missing")
    return list(parse_base_proof_value(proof.get("proofValue")).mandatory_pointers)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _leaves(value: Any, pointer: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if key in ("id", "type", "@context"):
                continue  # kept with their object whenever any of it is disclosed
            _leaves(child, f"{pointer}/{_escape(key)}", out)
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for index, child in enumerate(value):
            _leaves(child, f"{pointer}/{index}", out)
    else:
        out.append(pointer)


def _covered(pointer: str, by: Sequence[str]) -> bool:
    return any(pointer == m or pointer.startswith(m + "/") for m in by)


def disclosable_pointers(document: dict[str, Any]) -> list[str]:
    """Leaf JSON pointers the holder may choose to reveal (not covered by a mandatory one)."""
    mandatory = mandatory_pointers(document)
    leaves: list[str] = []
    for key, value in document.items():
        if key in _SKIP_TOP or key in ("type", "id"):
            continue
        _leaves(value, "/" + _escape(key), leaves)
    return [p for p in leaves if not _covered(p, mandatory)]


def derive_disclosure(document: dict[str, Any], reveal: Sequence[str]) -> dict[str, Any]:
    """The derived credential revealing the mandatory fields plus ``reveal``.

    Every pointer in ``reveal`` must be one of :func:`disclosable_pointers` (or lie
    under one): asking to reveal a path the credential does not have is an error.
    """
    allowed = disclosable_pointers(document)
    for pointer in reveal:
        if not (_covered(pointer, allowed) or any(a.startswith(pointer + "/") for a in allowed)):
            raise ProofError(
                f"{pointer!r} is not a field of this credential that can be disclosed.",
                code="proof.sd-pointer",
                pointer=pointer,
            )
    return derive(document, list(reveal))


def full_disclosure(document: dict[str, Any]) -> dict[str, Any]:
    """The derived credential revealing every statement of a base-proofed credential."""
    pointers = ["/" + _escape(k) for k in document if k not in _SKIP_TOP]
    return derive(document, pointers)
