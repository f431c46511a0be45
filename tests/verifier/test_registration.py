"""The verifier is registered in the composition root and its key is kept encrypted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pwa.app import SERVICES
from shared.did.key import did_key_for
from shared.service.keywrap import unwrap_private_key
from tests.appserver import AppServer, make_settings


def test_default_app_serves_the_verifier_with_its_key_encrypted_at_rest(tmp_path: Path) -> None:
    assert "verifier.service" in SERVICES
    srv = AppServer(make_settings(tmp_path)).start()
    try:
        with srv.client() as client:
            me = client.get("/api/verifier/identity").json()
            assert me["did"].startswith("did:key:z6Mk")
            assert client.get("/api/verifier/identity").json() == me  # stable
            schema = client.get("/schema/openapi.json").json()
            assert "/credentials/verify" in schema["paths"]
    finally:
        srv.stop()
    with sqlite3.connect(srv.settings.database_path) as db:
        did, blob = db.execute("SELECT did, key_blob FROM verifier_identity").fetchone()
    key = unwrap_private_key(bytes(blob), secret=srv.settings.secret, owner="verifier:identity")
    assert did == me["did"] == did_key_for(key.public_key)
    assert key.multikey().encode() not in bytes(blob)
    # the same data directory and secret give back the same identity after a restart
    again = AppServer(make_settings(tmp_path)).start()
    try:
        with again.client() as client:
            assert client.get("/api/verifier/identity").json() == me
    finally:
        again.stop()
