"""A learner's HTTP client for wallet tests: keeps cookies and sends the CSRF header."""

from __future__ import annotations

from typing import Any

import httpx

from tests.appserver import AppServer

PASSWORD = "correct horse battery"


class LearnerClient:
    """An httpx client bound to one learner's session."""

    def __init__(self, server: AppServer, username: str | None = None) -> None:
        self.server = server
        self.http = server.client(headers={"User-Agent": "satchel-tests"})
        self.username = username
        self.did: str | None = None

    def csrf(self) -> str:
        """Fetch a CSRF token (sets the cookie) and return it."""
        token = self.http.cookies.get("csrftoken")
        if token:
            return str(token)
        response = self.http.get("/api/wallet/csrf")
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("x-csrftoken", self.csrf())
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def register(self, username: str, password: str = PASSWORD) -> LearnerClient:
        response = self.post(
            "/api/wallet/register", json={"username": username, "password": password}
        )
        assert response.status_code == 201, response.text
        self.username = username
        self.did = response.json()["did"]
        return self

    def import_json(self, document: Any, **extra: Any) -> httpx.Response:
        import json

        return self.post("/api/wallet/imports", json={"text": json.dumps(document), **extra})

    def add(self, document: Any) -> str:
        """Import and accept; the stored credential's id."""
        response = self.import_json(document)
        assert response.status_code == 201, response.text
        accepted = self.post(f"/api/wallet/imports/{response.json()['id']}/accept")
        assert accepted.status_code == 201, accepted.text
        return str(accepted.json()["credential_id"])

    def close(self) -> None:
        self.http.close()
