"""The JSON-LD document loader: bundled, hash-pinned contexts, never the network.

Every context Satchel understands ships as package data in ``contexts/`` and is
listed in ``contexts/pins.json`` with the sha256 of its bytes. A file whose hash
differs from its pin, or a URL that is not listed, is an error
(``context.tampered`` / ``context.unknown``); nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from shared.errors import ContextError

_PACKAGE = "shared.jsonld"


@cache
def _pins() -> dict[str, dict[str, str]]:
    text = resources.files(_PACKAGE).joinpath("contexts/pins.json").read_text("utf-8")
    pins: dict[str, dict[str, str]] = json.loads(text)["contexts"]
    return pins


def known_context_urls() -> frozenset[str]:
    """The URLs of every bundled context."""
    return frozenset(_pins())


def pin_of(url: str) -> str | None:
    """The pinned sha256 of the bundled context at ``url`` (None if not bundled)."""
    pin = _pins().get(url)
    return None if pin is None else pin["sha256"]


@cache
def load_context(url: str) -> Any:
    """Return the parsed JSON of the bundled context at ``url`` (hash-checked once)."""
    pin = _pins().get(url)
    if pin is None:
        raise ContextError(
            f"Unknown JSON-LD context {url!r}: Satchel only uses its bundled contexts "
            "and never fetches one from the network.",
            code="context.unknown",
            url=url,
        )
    data = resources.files(_PACKAGE).joinpath("contexts", pin["file"]).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != pin["sha256"]:
        raise ContextError(
            f"Bundled context {url!r} does not match its pinned sha256; refusing to use it.",
            code="context.tampered",
            url=url,
            expected=pin["sha256"],
            actual=digest,
        )
    return json.loads(data)


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """A pyld document loader serving bundled contexts only.

    Documents are tagged ``static`` so that pyld reuses processed contexts
    across calls; the URL is the whole cache key and the content is pinned.
    """
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        "tag": "static",
    }
