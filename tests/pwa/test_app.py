"""The composition root on a real loopback server: problem+json, limits, OpenAPI, TLS."""

from __future__ import annotations

import argparse
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Router, post
from litestar.params import JSONBody

from pwa.serve import self_signed_certificate, settings_from_args
from shared.errors import InputError
from tests.appserver import AppServer, make_settings

NAME = "probe"
MIGRATIONS = ["CREATE TABLE probe (id INTEGER PRIMARY KEY)"]


@post("/probe/fail", status_code=200)
async def _fail(data: JSONBody[dict[str, str]]) -> dict[str, str]:
    raise InputError("The probe refuses this.", code="input.probe-refused")


@post("/probe/echo", status_code=200)
async def _echo(data: JSONBody[dict[str, str]]) -> dict[str, str]:
    return data


def router(runtime: object) -> Router:
    """This test module doubles as a service module for create_app."""
    return Router(path="/", route_handlers=[_fail, _echo])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[AppServer]:
    srv = AppServer(
        make_settings(tmp_path, max_body_bytes=2048), services=["tests.pwa.test_app"]
    ).start()
    yield srv
    srv.stop()


def _is_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["type"] == f"https://satchel.dev/problems/{code}"
    assert body["status"] == status
    return body


def test_typed_error_is_problem_json(server: AppServer) -> None:
    with server.client() as client:
        body = _is_problem(client.post("/probe/fail", json={"a": "b"}), 400, "input.probe-refused")
    assert body["detail"] == "The probe refuses this."


def test_unknown_route_and_bad_body_are_problems(server: AppServer) -> None:
    with server.client() as client:
        _is_problem(client.get("/nowhere"), 404, "not-found")
        _is_problem(
            client.post(
                "/probe/echo", content=b"{not json", headers={"content-type": "application/json"}
            ),
            400,
            "request.invalid",
        )


def test_oversized_body_is_413(server: AppServer) -> None:
    with server.client() as client:
        _is_problem(client.post("/probe/echo", json={"a": "x" * 5000}), 413, "request.too-large")
        assert client.post("/probe/echo", json={"a": "small"}).json() == {"a": "small"}


def test_openapi_and_migrations(server: AppServer) -> None:
    with server.client() as client:
        schema = client.get("/schema/openapi.json")
        assert schema.status_code == 200
        assert "/probe/echo" in schema.json()["paths"]
        assert client.get("/healthz").json() == {"status": "ok"}
    assert server.settings.database_path.exists()


def test_self_signed_certificate_is_made_once(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path, "127.0.0.1")
    first = cert.read_bytes()
    assert self_signed_certificate(tmp_path, "127.0.0.1") == (cert, key)
    assert cert.read_bytes() == first
    assert key.stat().st_mode & 0o077 == 0
    ctx = ssl.create_default_context(cafile=str(cert))
    assert ctx.cert_store_stats()["x509"] == 1


def test_https_server_with_self_signed_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SATCHEL_SECRET_KEY", raising=False)
    monkeypatch.delenv("SATCHEL_ISSUER_TOKEN", raising=False)
    from tests.appserver import free_port

    args = argparse.Namespace(
        host="127.0.0.1",
        port=free_port(),
        data=str(tmp_path),
        certfile=None,
        keyfile=None,
        self_signed=True,
        public_url=None,
    )
    settings, cert, key = settings_from_args(args)
    assert settings.base_url.startswith("https://127.0.0.1:")
    assert cert is not None and key is not None
    srv = AppServer(settings, services=[])
    srv._server.config.ssl_certfile = str(cert)
    srv._server.config.ssl_keyfile = str(key)
    srv._server.config.load()
    srv.start()
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        response = httpx.get(settings.base_url + "/healthz", verify=ctx, timeout=10)
        assert response.json() == {"status": "ok"}
    finally:
        srv.stop()


def test_access_log_hides_bearer_segments() -> None:
    from pwa.app import loggable_path

    assert loggable_path("/s/abcDEF123") == "/s/…"
    assert loggable_path("/s/abcDEF123/print") == "/s/…/print"
    assert loggable_path("/oid4vci/offers/xyz") == "/oid4vci/offers/…"
    assert loggable_path("/exchanges/tx1/respond") == "/exchanges/…/respond"
    assert loggable_path("/api/wallet/credentials/abc") == "/api/wallet/credentials/abc"
    assert loggable_path("/schema") == "/schema"
