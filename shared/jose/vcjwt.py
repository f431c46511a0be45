"""JWT-secured credentials and presentations.

Two envelopes are understood:

* VC-JWT 1.1 (VCDM 1.1 §6.3.1): the credential sits in a ``vc`` claim (a
  presentation in ``vp``) and registered claims (``iss``, ``sub``, ``jti``,
  ``nbf``, ``exp``) stand for some of its properties. Where both are present they
  must agree; missing properties are filled in from the claims.
* VC-JOSE-COSE (VCDM 2.0): ``typ`` ``vc+jwt`` / ``vp+jwt`` and the payload *is*
  the credential or presentation; ``iss``, when present, must name its issuer/holder.

The signing key is only ever taken from the issuer's (holder's) DID document, via
the ``kid``. Time claims are decoded but not judged: the pipeline owns the clock.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, NoReturn

from shared.did import ResolveContext, dereference_method
from shared.errors import JoseError, SatchelError
from shared.jose.jws import parse_jws, sign_jws, verify_parsed
from shared.keys import PrivateKey
from shared.shapes import id_of

Kind = Literal["credential", "presentation"]
Format = Literal["vc-jwt-1.1", "vc+jwt"]
Envelope = Literal["vc+jwt", "vc-jwt-1.1"]

PURPOSE: Final[dict[str, str]] = {
    "credential": "assertionMethod",
    "presentation": "authentication",
}
_BASE_TYPE: Final[dict[str, str]] = {
    "credential": "VerifiableCredential",
    "presentation": "VerifiablePresentation",
}
# typ (lower case, without "application/") -> (kind, legacy?)
_TYPS: Final[dict[str, tuple[Kind, bool]]] = {
    "vc+jwt": ("credential", False),
    "vp+jwt": ("presentation", False),
    "vc+ld+jwt": ("credential", True),
    "vp+ld+jwt": ("presentation", True),
    "vc-ld+jwt": ("credential", True),
    "vp-ld+jwt": ("presentation", True),
    "vc+ld+json+jwt": ("credential", True),
    "vp+ld+json+jwt": ("presentation", True),
}
_CTYS: Final[dict[str, frozenset[str]]] = {
    "credential": frozenset({"vc", "vc+ld+json", "vc-ld+json"}),
    "presentation": frozenset({"vp", "vp+ld+json", "vp-ld+json"}),
}


@dataclass(frozen=True, slots=True)
class DecodedJwt:
    """What a VC/VP JWT says, checked for internal consistency (not for authenticity)."""

    kind: Kind
    format: Format
    document: dict[str, Any]
    issuer: str
    warnings: list[str]
    not_before: datetime | None
    expires: datetime | None
    challenge: str | None = None
    domain: str | list[str] | None = None


@dataclass(frozen=True, slots=True)
class JwtVerification:
    """A verified VC/VP JWT.

    ``document`` is the effective credential/presentation; ``issuer`` is the issuer
    (credential) or holder (presentation) whose DID key signed it. ``not_before`` and
    ``expires`` come from ``nbf``/``exp`` and are not judged here. ``challenge`` and
    ``domain`` are the ``nonce`` and ``aud`` claims (presentations).
    """

    kind: Kind
    format: Format
    header: dict[str, Any]
    claims: dict[str, Any]
    document: dict[str, Any]
    issuer: str
    verification_method: str
    key_type: str
    alg: str
    warnings: list[str] = field(default_factory=list)
    not_before: datetime | None = None
    expires: datetime | None = None
    challenge: str | None = None
    domain: str | list[str] | None = None


def _fail(message: str, code: str = "jose.malformed", **details: Any) -> NoReturn:
    raise JoseError(message, code=code, **details)


def _media_type(value: str) -> str:
    low = value.strip().lower()
    return low.removeprefix("application/")


def _classify(header: dict[str, Any], claims: dict[str, Any]) -> tuple[Kind, Format, list[str]]:
    """Decide envelope and kind from ``typ`` (VC-JOSE-COSE) or the vc/vp claim (1.1)."""
    typ = header.get("typ")
    cty = header.get("cty")
    warnings: list[str] = []
    media = _media_type(typ) if isinstance(typ, str) else None
    if media is not None and media in _TYPS:
        kind, legacy = _TYPS[media]
        if legacy:
            warnings.append(
                f"typ {typ!r} is a pre-Recommendation media type; "
                f"{'vc+jwt' if kind == 'credential' else 'vp+jwt'} is current."
            )
        if isinstance(cty, str) and _media_type(cty) not in _CTYS[kind]:
            _fail(
                f"cty {cty!r} does not match typ {typ!r} (expected "
                f"{'vc' if kind == 'credential' else 'vp'}).",
                "jose.header-refused",
            )
        return kind, "vc+jwt", warnings
    if media is not None and media != "jwt":
        hint = " (SD-JWT is not supported)" if "sd-jwt" in media else ""
        _fail(
            f"typ {typ!r} is not a verifiable credential media type{hint}; expected "
            f"vc+jwt, vp+jwt, or a VC-JWT 1.1 token.",
            "jose.header-refused",
        )
    has_vc, has_vp = "vc" in claims, "vp" in claims
    if has_vc and has_vp:
        _fail("The JWT carries both a 'vc' and a 'vp' claim.")
    if not has_vc and not has_vp:
        _fail(
            "The JWT is neither VC-JOSE-COSE (typ vc+jwt / vp+jwt) nor VC-JWT 1.1 "
            "(a 'vc' or 'vp' claim).",
            "jose.header-refused",
        )
    if cty is not None:
        _fail(f"cty {cty!r} is not expected on a VC-JWT 1.1 token.", "jose.header-refused")
    return ("credential" if has_vc else "presentation"), "vc-jwt-1.1", warnings


def _inner(claims: dict[str, Any], kind: Kind) -> dict[str, Any]:
    name = "vc" if kind == "credential" else "vp"
    inner = claims.get(name)
    if not isinstance(inner, dict):
        _fail(f"The {name!r} claim must be a JSON object.")
    return inner


def _string_claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        _fail(f"The {name!r} claim must be a non-empty string.")
    return value


def _claimed_signer(kind: Kind, fmt: Format, claims: dict[str, Any]) -> str:
    """Who must have signed: ``iss`` or else the issuer/holder property."""
    iss = _string_claim(claims, "iss")
    prop = "issuer" if kind == "credential" else "holder"
    source = _inner(claims, kind) if fmt == "vc-jwt-1.1" else claims
    if fmt == "vc+jwt":
        prop_id = id_of(source.get(prop))
        signer = prop_id or iss
    else:
        signer = iss or id_of(source.get(prop))
    if signer is None:
        _fail(f"The {kind} names no {prop} ('iss' claim or '{prop}' property).")
    return signer


def _numeric_date(claims: dict[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(f"The {name!r} claim must be a NumericDate (seconds since the epoch).")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        _fail(f"The {name!r} claim is out of range.")


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(value: Any, name: str) -> datetime:
    if isinstance(value, str) and "T" in value.upper():
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    _fail(f"{name} ({value!r}) is not an RFC 3339 date-time with a timezone.")


def _mismatch(claim: str, claim_value: Any, prop: str, prop_value: Any) -> NoReturn:
    _fail(
        f"The JWT claim {claim!r} ({claim_value!r}) contradicts {prop} ({prop_value!r}).",
        "jose.claims-mismatch",
        claim=claim,
        property=prop,
    )


def _check_type(document: dict[str, Any], kind: Kind, where: str) -> None:
    types = document.get("type")
    listed = types if isinstance(types, list) else [types]
    if _BASE_TYPE[kind] not in listed:
        _fail(f"The {where} is not typed {_BASE_TYPE[kind]!r}.")


def _merge_date(
    inner: dict[str, Any], claim: str, moment: datetime | None, prop: str, raw: Any
) -> None:
    """Fill ``prop`` from the claim, or check the two agree (to the second)."""
    if moment is None:
        return
    if prop not in inner:
        inner[prop] = _rfc3339(moment)
        return
    stated = _parse_datetime(inner[prop], f"vc.{prop}")
    if math.floor(stated.timestamp()) != math.floor(moment.timestamp()):
        _mismatch(claim, raw, f"vc.{prop}", inner[prop])


def _merge_subject(vc: dict[str, Any], sub: str | None) -> None:
    if sub is None:
        return
    subject = vc.get("credentialSubject")
    if subject is None:
        vc["credentialSubject"] = {"id": sub}
        return
    if isinstance(subject, list):
        ids = [s.get("id") for s in subject if isinstance(s, dict)]
        if len(subject) == 1 and isinstance(subject[0], dict) and "id" not in subject[0]:
            subject[0]["id"] = sub
        elif sub not in ids:
            _mismatch("sub", sub, "vc.credentialSubject.id", ids)
        return
    if not isinstance(subject, dict):
        _fail("vc.credentialSubject must be an object or a list of objects.")
    if "id" not in subject:
        subject["id"] = sub
    elif subject["id"] != sub:
        _mismatch("sub", sub, "vc.credentialSubject.id", subject["id"])


def _decode_v11(claims: dict[str, Any], kind: Kind) -> tuple[dict[str, Any], str]:
    inner = copy.deepcopy(_inner(claims, kind))
    name = "vc" if kind == "credential" else "vp"
    prop = "issuer" if kind == "credential" else "holder"
    iss = _string_claim(claims, "iss")
    value = inner.get(prop)
    if value is not None and not isinstance(value, str | dict):
        _fail(f"{name}.{prop} must be a string or an object.")
    prop_id = id_of(value)
    if iss is not None and prop_id is not None and iss != prop_id:
        _mismatch("iss", iss, f"{name}.{prop}", prop_id)
    if value is None and iss is not None:
        inner[prop] = iss
    elif isinstance(value, dict) and prop_id is None and iss is not None:
        value["id"] = iss
    signer = iss or prop_id
    if signer is None:
        _fail(f"The {kind} names no {prop} ('iss' claim or '{prop}' property).")
    jti = _string_claim(claims, "jti")
    if jti is not None:
        if "id" not in inner:
            inner["id"] = jti
        elif inner["id"] != jti:
            _mismatch("jti", jti, f"{name}.id", inner["id"])
    if kind == "credential":
        _merge_subject(inner, _string_claim(claims, "sub"))
        nbf, exp = _numeric_date(claims, "nbf"), _numeric_date(claims, "exp")
        _merge_date(inner, "nbf", nbf, "issuanceDate", claims.get("nbf"))
        _merge_date(inner, "exp", exp, "expirationDate", claims.get("exp"))
    _check_type(inner, kind, f"'{name}' claim")
    return inner, signer


def _check_enveloped(document: dict[str, Any]) -> None:
    entries = document.get("verifiableCredential")
    if entries is None:
        return
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict):
            continue
        types = entry.get("type")
        if "EnvelopedVerifiableCredential" not in (types if isinstance(types, list) else [types]):
            continue
        ident = entry.get("id")
        if not isinstance(ident, str) or not ident.startswith("data:"):
            _fail(
                f"An EnvelopedVerifiableCredential must carry its credential in a data: URL "
                f"id, not {ident!r}."
            )


def _decode_v2(claims: dict[str, Any], kind: Kind) -> tuple[dict[str, Any], str]:
    for name in ("vc", "vp"):
        if name in claims:
            _fail(f"The JWT claim {name!r} must not be present in a vc+jwt / vp+jwt payload.")
    document = copy.deepcopy(claims)
    prop = "issuer" if kind == "credential" else "holder"
    iss = _string_claim(claims, "iss")
    prop_id = id_of(document.get(prop))
    if kind == "credential" and prop_id is None:
        _fail("The credential has no issuer (a string or an object with an id).")
    if iss is not None and prop_id is not None and iss != prop_id:
        _mismatch("iss", iss, prop, prop_id)
    signer = prop_id or iss
    if signer is None:
        _fail("The presentation names no holder ('holder' property or 'iss' claim).")
    _check_type(document, kind, "payload")
    if kind == "presentation":
        _check_enveloped(document)
    return document, signer


def decode_vc_jwt(header: dict[str, Any], claims: dict[str, Any]) -> DecodedJwt:
    """Interpret a (parsed) VC/VP JWT and check its claims agree with its content.

    Says nothing about the signature: use ``verify_jwt`` for that.
    """
    kind, fmt, warnings = _classify(header, claims)
    if fmt == "vc-jwt-1.1":
        document, issuer = _decode_v11(claims, kind)
    else:
        document, issuer = _decode_v2(claims, kind)
    challenge = _string_claim(claims, "nonce") if kind == "presentation" else None
    domain: str | list[str] | None = None
    aud = claims.get("aud")
    if kind == "presentation" and aud is not None:
        if isinstance(aud, str) or (
            isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud)
        ):
            domain = aud
        else:
            _fail("The 'aud' claim must be a string or a list of strings.")
    return DecodedJwt(
        kind=kind,
        format=fmt,
        document=document,
        issuer=issuer,
        warnings=warnings,
        not_before=_numeric_date(claims, "nbf"),
        expires=_numeric_date(claims, "exp"),
        challenge=challenge,
        domain=domain,
    )


def verification_method_for(kid: Any, signer: str) -> str:
    """The verification method id ``kid`` names under ``signer`` (a DID).

    ``kid`` may be an absolute DID URL or a ``#fragment``; without one, a did:key or
    did:jwk signer's single method is used. The method must belong to ``signer``.
    """
    if not signer.startswith("did:"):
        _fail(
            f"The signer {signer!r} is not a DID; JWT keys are only taken from DID documents.",
            "jose.kid-unresolved",
        )
    if kid is None or kid == signer:
        method = signer.split(":", 2)[1]
        if method == "key" and len(signer.split(":")) == 3:
            return f"{signer}#{signer.split(':')[2]}"
        if method == "jwk" and len(signer.split(":")) == 3:
            return f"{signer}#0"
        _fail(
            f"The JWT has no 'kid'; one is required to pick a key of {signer}.",
            "jose.kid-unresolved",
        )
    if not isinstance(kid, str):
        _fail("The 'kid' header must be a string.")
    if kid.startswith("#"):
        vm_id = signer + kid
    elif kid.startswith("did:"):
        vm_id = kid
    else:
        _fail(
            f"kid {kid!r} is neither a DID URL nor a '#fragment' of {signer}.",
            "jose.kid-unresolved",
        )
    did, sep, fragment = vm_id.partition("#")
    if not sep or not fragment or did != signer:
        _fail(
            f"kid {kid!r} does not name a verification method of {signer}.",
            "jose.kid-unresolved",
        )
    return vm_id


async def verify_jwt(token: str, ctx: ResolveContext | None = None) -> JwtVerification:
    """Verify a VC-JWT 1.1 or VC-JOSE-COSE credential/presentation; raise ``JoseError``.

    Order: structure and header policy, envelope, key from the signer's DID, signature,
    then claim/property consistency (so a contradiction is only reported for an
    authentic token).
    """
    parsed = parse_jws(token)
    kind, fmt, _ = _classify(parsed.header, parsed.payload)
    signer = _claimed_signer(kind, fmt, parsed.payload)
    vm_id = verification_method_for(parsed.header.get("kid"), signer)
    try:
        method = await dereference_method(vm_id, PURPOSE[kind], ctx or ResolveContext())
    except SatchelError as exc:
        raise JoseError(
            f"The key {vm_id} could not be used for this {kind}: {exc.message}",
            code="jose.kid-unresolved",
            cause=exc.code,
            verification_method=vm_id,
        ) from exc
    verify_parsed(parsed, method.public_key)
    decoded = decode_vc_jwt(parsed.header, parsed.payload)
    if decoded.issuer != signer:  # pragma: no cover - same rule on both paths
        _fail("The signer changed during decoding.", "jose.kid-unresolved")
    return JwtVerification(
        kind=decoded.kind,
        format=decoded.format,
        header=parsed.header,
        claims=parsed.payload,
        document=decoded.document,
        issuer=decoded.issuer,
        verification_method=method.id,
        key_type=method.public_key.key_type,
        alg=parsed.alg,
        warnings=decoded.warnings,
        not_before=decoded.not_before,
        expires=decoded.expires,
        challenge=decoded.challenge,
        domain=decoded.domain,
    )


def _timestamp(document: dict[str, Any], prop: str) -> int | None:
    if prop not in document:
        return None
    return math.floor(_parse_datetime(document[prop], prop).timestamp())


def sign_jwt_credential(
    document: dict[str, Any], key: PrivateKey, kid: str, *, envelope: Envelope = "vc+jwt"
) -> str:
    """Sign a credential as ``vc+jwt`` (payload = credential) or VC-JWT 1.1 (``vc`` claim)."""
    issuer = id_of(document.get("issuer"))
    if issuer is None:
        _fail("The credential has no issuer id to sign as.")
    verification_method_for(kid, issuer)
    if envelope == "vc+jwt":
        if "vc" in document or "vp" in document:
            _fail("A vc+jwt credential must not have 'vc' or 'vp' members.")
        return sign_jws({"kid": kid, "typ": "vc+jwt", "cty": "vc"}, dict(document), key)
    if envelope != "vc-jwt-1.1":
        _fail(f"Unknown JWT envelope {envelope!r}.")
    claims: dict[str, Any] = {"vc": copy.deepcopy(document), "iss": issuer}
    if isinstance(document.get("id"), str):
        claims["jti"] = document["id"]
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    nbf, exp = _timestamp(document, "issuanceDate"), _timestamp(document, "expirationDate")
    if nbf is not None:
        claims["nbf"] = nbf
    if exp is not None:
        claims["exp"] = exp
    return sign_jws({"kid": kid, "typ": "JWT"}, claims, key)


def sign_jwt_presentation(
    document: dict[str, Any],
    key: PrivateKey,
    kid: str,
    *,
    nonce: str | None = None,
    aud: str | list[str] | None = None,
    envelope: Envelope = "vc+jwt",
) -> str:
    """Sign a presentation as ``vp+jwt`` or VC-JWT 1.1 (``vp`` claim); ``nonce``/``aud``
    carry the verifier's challenge and domain."""
    holder = id_of(document.get("holder"))
    if holder is None:
        _fail("The presentation has no holder id to sign as.")
    verification_method_for(kid, holder)
    extra: dict[str, Any] = {}
    if nonce is not None:
        extra["nonce"] = nonce
    if aud is not None:
        extra["aud"] = aud
    if envelope == "vc+jwt":
        if "vc" in document or "vp" in document:
            _fail("A vp+jwt presentation must not have 'vc' or 'vp' members.")
        return sign_jws({"kid": kid, "typ": "vp+jwt", "cty": "vp"}, {**document, **extra}, key)
    if envelope != "vc-jwt-1.1":
        _fail(f"Unknown JWT envelope {envelope!r}.")
    claims: dict[str, Any] = {"vp": copy.deepcopy(document), "iss": holder, **extra}
    if isinstance(document.get("id"), str):
        claims["jti"] = document["id"]
    return sign_jws({"kid": kid, "typ": "JWT"}, claims, key)
