"""The objects the issuer's HTTP handlers are given (one per process)."""

from __future__ import annotations

from dataclasses import dataclass

from issuer.core import Issuer
from issuer.offers import Offers
from shared.service.runtime import Runtime


@dataclass
class IssuerApp:
    """The issuer and its OpenID4VCI side over one runtime."""

    issuer: Issuer
    offers: Offers

    @classmethod
    def build(cls, runtime: Runtime) -> IssuerApp:
        """Build both over ``runtime``."""
        issuer = Issuer(runtime)
        return cls(issuer=issuer, offers=Offers(issuer))
