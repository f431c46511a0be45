"""Serve the real-world documents of ``tests/vectors/url-map.json`` from loopback.

Status lists and did:web documents named by interop vectors live at real URLs; tests map
their origins onto one loopback server through ``FetchPolicy.testing_origin_routes``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from shared.did import ResolveContext
from shared.fetch import Fetcher, FetchPolicy
from tests.loopback import LoopbackServer, Route

VECTORS = Path(__file__).resolve().parent / "vectors"
ORIGINS = ("https://digitalcredentials.github.io", "https://raw.githubusercontent.com")


def url_map_routes() -> dict[str, Route]:
    """Every url-map resource as a route keyed by its URL path."""
    resources = json.loads((VECTORS / "url-map.json").read_text("utf-8"))["resources"]
    routes: dict[str, Route] = {}
    for item in resources:
        body = (VECTORS / item["file"]).read_bytes()
        path = urlsplit(item["url"]).path
        routes[path] = Route(headers={"Content-Type": "application/json"}, body=body)
    return routes


def routed_fetcher(server: LoopbackServer) -> Fetcher:
    """A fetcher that reaches ``ORIGINS`` on ``server`` (and nothing else new)."""
    policy = FetchPolicy(
        allow_hosts=frozenset({server.netloc}),
        testing_origin_routes={origin: server.url("") for origin in ORIGINS},
    )
    return Fetcher(policy)


def vector_resolve_context(make_server: Callable[..., LoopbackServer]) -> ResolveContext:
    """A resolve context whose fetcher serves the url-map documents from loopback."""
    return ResolveContext(fetcher=routed_fetcher(make_server(url_map_routes())))
