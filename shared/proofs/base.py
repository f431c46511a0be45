"""The cryptosuite protocol and the hash-then-sign suite most suites are made of.

A Data Integrity suite turns (document, proof configuration) into hash data and
signs it. eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019, ecdsa-jcs-2019 and
the legacy Ed25519Signature2020 differ only in the transform (RDFC-1.0 or JCS),
the hash (by key curve), the proof type and whether a ``cryptosuite`` is named,
so each is one ``HashSignSuite`` instance in its own module.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

from shared.errors import ProofError
from shared.keys import PrivateKey, PublicKey, multibase_b58, multibase_decode
from shared.proofs.transforms import digest, jcs, needs_js_compat, rdfc


@dataclass
class SuiteResult:
    """What a suite learned while verifying: warnings only (failures raise)."""

    warnings: list[str] = field(default_factory=list)


class Cryptosuite(Protocol):
    """A Data Integrity cryptosuite (or legacy proof type)."""

    @property
    def name(self) -> str:
        """The cryptosuite name (or the legacy proof type)."""
        ...

    @property
    def proof_type(self) -> str:
        """The proof ``type`` this suite produces."""
        ...

    @property
    def key_types(self) -> frozenset[str]:
        """Key types this suite accepts (checked before verifying)."""
        ...

    def verify(
        self, document: dict[str, Any], proof: dict[str, Any], key: PublicKey
    ) -> SuiteResult:
        """Verify ``proof`` over ``document`` (which carries no ``proof``); raise on failure."""
        ...

    def sign(
        self, document: dict[str, Any], options: dict[str, Any], key: PrivateKey
    ) -> dict[str, Any]:
        """Return a proof over ``document`` with proof options ``options``."""
        ...


HASH_BY_KEY = {"Ed25519": "sha256", "P-256": "sha256", "P-384": "sha384"}


@dataclass(frozen=True)
class HashSignSuite:
    """A suite that hashes canonical proof configuration and document, then signs."""

    name: str
    proof_type: str
    key_types: frozenset[str]
    transform: Literal["rdfc", "jcs"]
    names_cryptosuite: bool = True
    legacy_of: str | None = None
    context: str | None = None  # a context the document must include for this proof type

    JS_COMPAT_WARNING: ClassVar[str] = (
        "The signature was made over the JavaScript reference's canonical form, which departs "
        "from RDFC-1.0 (UTF-16 ordering or integers beyond 2^53); accepted for compatibility."
    )

    def _proof_config(self, document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        if self.transform == "rdfc" or "@context" in document:
            if "@context" in config and config["@context"] != document.get("@context"):
                raise ProofError(
                    "The proof's @context differs from the document's.",
                    code="proof.context-mismatch",
                )
            if "@context" in document:
                config["@context"] = document["@context"]
        return config

    def hash_data(
        self,
        document: dict[str, Any],
        proof: dict[str, Any],
        key_type: str,
        *,
        js_compat: bool = False,
    ) -> bytes:
        """hash(canonical proof configuration) || hash(canonical document)."""
        hash_name = HASH_BY_KEY.get(key_type, "sha256")
        config = self._proof_config(document, proof)
        if self.transform == "jcs":
            return digest(jcs(config), hash_name) + digest(jcs(document), hash_name)
        return digest(rdfc(config, hash_name=hash_name, js_compat=js_compat), hash_name) + digest(
            rdfc(document, hash_name=hash_name, js_compat=js_compat), hash_name
        )

    def _check_shape(self, proof: dict[str, Any]) -> bytes:
        if self.names_cryptosuite and proof.get("cryptosuite") not in (self.name, self.legacy_of):
            raise ProofError("Proof names another cryptosuite.", code="proof.cryptosuite-mismatch")
        value = proof.get("proofValue")
        if not isinstance(value, str) or not value.startswith("z"):
            raise ProofError(
                "proofValue must be a base58btc multibase string ('z...').",
                code="proof.value-malformed",
            )
        return multibase_decode(value)

    def verify(
        self, document: dict[str, Any], proof: dict[str, Any], key: PublicKey
    ) -> SuiteResult:
        """Verify ``proof`` over ``document``; raise ``ProofError`` if it does not hold."""
        result = SuiteResult()
        if proof.get("cryptosuite") == self.legacy_of and self.legacy_of:
            result.warnings.append(
                f"The proof uses the legacy cryptosuite name {self.legacy_of!r}; "
                f"it is the same algorithm as {self.name!r}."
            )
        signature = self._check_shape(proof)
        data = self.hash_data(document, proof, key.key_type)
        try:
            key.verify(signature, data)
            return result
        except ProofError:
            if self.transform != "rdfc" or not (
                needs_js_compat(document) or needs_js_compat(proof)
            ):
                raise
        compat = self.hash_data(document, proof, key.key_type, js_compat=True)
        key.verify(signature, compat)
        result.warnings.append(self.JS_COMPAT_WARNING)
        return result

    def sign(
        self, document: dict[str, Any], options: dict[str, Any], key: PrivateKey
    ) -> dict[str, Any]:
        """Create a proof over ``document`` from proof ``options`` (type etc. filled in)."""
        if key.key_type not in self.key_types:
            raise ProofError(
                f"{self.name} cannot sign with a {key.key_type} key.",
                code="proof.key-type-mismatch",
            )
        proof: dict[str, Any] = {"type": self.proof_type}
        if self.names_cryptosuite:
            proof["cryptosuite"] = self.name
        proof.update({k: v for k, v in options.items() if k not in ("proofValue", "@context")})
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        data = self.hash_data(unsecured, proof, key.key_type)
        proof["proofValue"] = multibase_b58(key.sign(data))
        return proof


def add_proof(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with ``proof`` added (forming a proof set if one exists)."""
    out = copy.deepcopy(document)
    existing = out.get("proof")
    if existing is None:
        out["proof"] = proof
    elif isinstance(existing, list):
        existing.append(proof)
    else:
        out["proof"] = [existing, proof]
    return out
