"""Fetcher.post (any body and headers, any_status): guarded like GET, no redirects."""

from __future__ import annotations

import pytest

from shared.errors import FetchError
from shared.fetch import Fetcher, FetchPolicy
from tests.loopback import LoopbackServer, Route


async def test_post_sends_body_and_reads_answer(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/exchange"] = Route(
        headers={"Content-Type": "application/json"}, body=b'{"ok": true}'
    )
    fetcher = Fetcher(FetchPolicy(allow_hosts=frozenset({loopback_server.netloc})))
    result = await fetcher.post(
        loopback_server.url("/exchange"), b'{"a": 1}', content_type="application/json"
    )
    assert result.status == 200 and result.body == b'{"ok": true}'
    recorded = loopback_server.requests[-1]
    assert recorded.method == "POST" and recorded.body == b'{"a": 1}'
    assert recorded.headers["content-type"] == "application/json"
    await fetcher.aclose()


async def test_post_refused_without_allowlist(loopback_server: LoopbackServer) -> None:
    fetcher = Fetcher(FetchPolicy())
    with pytest.raises(FetchError):
        await fetcher.post(loopback_server.url("/x"), b"{}", content_type="application/json")
    assert loopback_server.connections == 0


async def test_post_error_status_and_redirect(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/bad"] = Route(status=400, body=b'{"error": "invalid_nonce"}')
    loopback_server.routes["/moved"] = Route(status=307, headers={"Location": "/bad"})
    fetcher = Fetcher(FetchPolicy(allow_hosts=frozenset({loopback_server.netloc})))
    with pytest.raises(FetchError) as err:
        await fetcher.post(loopback_server.url("/bad"), b"{}", content_type="application/json")
    assert err.value.code == "fetch.http-status"
    answer = await fetcher.post(
        loopback_server.url("/bad"), b"{}", content_type="application/json", any_status=True
    )
    assert answer.status == 400 and b"invalid_nonce" in answer.body
    with pytest.raises(FetchError) as moved:
        await fetcher.post(loopback_server.url("/moved"), b"{}", content_type="application/json")
    assert moved.value.code == "fetch.redirect-refused"
    await fetcher.aclose()
