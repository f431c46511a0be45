"""``Fetcher.post_json``: the guarded fetcher's POST for callbacks (webhooks)."""

from __future__ import annotations

import json

import pytest

from shared.errors import FetchError
from shared.fetch import Fetcher, FetchPolicy
from tests.loopback import LoopbackServer, Route


async def test_post_json_sends_the_body_to_an_allowlisted_host(
    loopback_server: LoopbackServer,
) -> None:
    loopback_server.routes["/hook"] = Route(status=200, body=b'{"ok": true}')
    fetcher = Fetcher(FetchPolicy(allow_hosts=frozenset({loopback_server.netloc})))
    result = await fetcher.post_json(loopback_server.url("/hook"), {"state": "verified"})
    assert result.status == 200 and json.loads(result.body) == {"ok": True}
    (request,) = loopback_server.requests
    assert request.method == "POST" and json.loads(request.body) == {"state": "verified"}
    assert request.headers["content-type"] == "application/json"


async def test_post_json_refuses_private_targets_without_connecting(
    loopback_server: LoopbackServer,
) -> None:
    fetcher = Fetcher(FetchPolicy())
    with pytest.raises(FetchError) as err:
        await fetcher.post_json(loopback_server.url("/hook"), {"a": 1})
    assert err.value.code == "fetch.forbidden-address"
    with pytest.raises(FetchError) as err2:
        await fetcher.post_json(f"https://127.0.0.1:{loopback_server.port}/hook", {"a": 1})
    assert err2.value.code == "fetch.forbidden-address"
    with pytest.raises(FetchError) as err3:
        await fetcher.post_json("http://hooks.example.invalid/h", {"a": 1})
    assert err3.value.code == "fetch.forbidden-scheme"
    assert loopback_server.connections == 0


async def test_post_json_does_not_follow_redirects_or_accept_errors(
    loopback_server: LoopbackServer,
) -> None:
    loopback_server.routes["/moved"] = Route(status=307, headers={"Location": "/elsewhere"})
    loopback_server.routes["/broken"] = Route(status=500)
    fetcher = Fetcher(FetchPolicy(allow_hosts=frozenset({loopback_server.netloc})))
    with pytest.raises(FetchError) as err:
        await fetcher.post_json(loopback_server.url("/moved"), {"a": 1})
    assert err.value.code == "fetch.redirect-refused"
    with pytest.raises(FetchError) as err2:
        await fetcher.post_json(loopback_server.url("/broken"), {"a": 1})
    assert err2.value.code == "fetch.http-status"
    assert [r.path for r in loopback_server.requests] == ["/moved", "/broken"]
