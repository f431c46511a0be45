"""JOSE: compact JWS and JWT-secured verifiable credentials and presentations."""

from shared.jose.jws import (
    ALGORITHMS,
    ParsedJws,
    check_alg_for_key,
    looks_like_jwt,
    parse_jws,
    sign_jws,
    verify_jws,
    verify_parsed,
)
from shared.jose.vcjwt import (
    DecodedJwt,
    JwtVerification,
    decode_vc_jwt,
    sign_jwt_credential,
    sign_jwt_presentation,
    verification_method_for,
    verify_jwt,
)

__all__ = [
    "ALGORITHMS",
    "DecodedJwt",
    "JwtVerification",
    "ParsedJws",
    "check_alg_for_key",
    "decode_vc_jwt",
    "looks_like_jwt",
    "parse_jws",
    "sign_jws",
    "sign_jwt_credential",
    "sign_jwt_presentation",
    "verification_method_for",
    "verify_jws",
    "verify_jwt",
    "verify_parsed",
]
