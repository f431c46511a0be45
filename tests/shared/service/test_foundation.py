"""Service foundation: SQLite migrations and transactions, keys at rest, secrets on disk."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from shared.errors import KeyFormatError
from shared.keys import generate_key
from shared.service.keywrap import unwrap_private_key, wrap_private_key
from shared.service.settings import SettingsError, load_issuer_token, load_secret
from shared.service.storage import Database

MIGRATIONS = [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
    "ALTER TABLE t ADD COLUMN w TEXT; CREATE INDEX t_v ON t (v)",
]


async def test_migrations_apply_once_and_record_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db")
    await db.open()
    assert await db.migrate("demo", MIGRATIONS) == 2
    assert await db.migrate("demo", MIGRATIONS) == 2  # no "table t already exists"
    row = await db.fetchone("SELECT version FROM schema_migrations WHERE namespace = 'demo'")
    assert row is not None and row[0] == 2
    mode = await db.fetchone("PRAGMA journal_mode")
    assert mode is not None and mode[0] == "wal"
    await db.close()


async def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db")
    await db.open()
    await db.migrate("demo", MIGRATIONS)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t (v) VALUES ('kept')")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t (v) VALUES ('lost')")
            raise RuntimeError("boom")
    rows = await db.fetchall("SELECT v FROM t")
    assert [r[0] for r in rows] == ["kept"]
    await db.close()


def test_wrapped_key_opens_only_for_its_owner() -> None:
    key = generate_key("P-256")
    secret = os.urandom(32)
    blob = wrap_private_key(key, secret=secret, owner="learner:1")
    opened = unwrap_private_key(blob, secret=secret, owner="learner:1")
    assert opened.multikey() == key.multikey()
    assert key.multikey().encode() not in blob
    with pytest.raises(KeyFormatError) as err:
        unwrap_private_key(blob, secret=secret, owner="learner:2")
    assert err.value.code == "key.unwrap-failed"
    with pytest.raises(KeyFormatError):
        unwrap_private_key(blob, secret=os.urandom(32), owner="learner:1")


def test_secret_and_token_files_are_private_and_stable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SATCHEL_SECRET_KEY", raising=False)
    monkeypatch.delenv("SATCHEL_ISSUER_TOKEN", raising=False)
    first = load_secret(tmp_path)
    assert len(first) == 32 and load_secret(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    token = load_issuer_token(tmp_path)
    assert len(token) >= 40 and load_issuer_token(tmp_path) == token
    assert stat.S_IMODE((tmp_path / "issuer-token").stat().st_mode) == 0o600


def test_secret_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATCHEL_SECRET_KEY", "x" * 40)
    derived = load_secret(tmp_path)
    assert len(derived) == 32 and derived == load_secret(tmp_path / "other")
    assert not (tmp_path / "secret.key").exists()
    monkeypatch.setenv("SATCHEL_SECRET_KEY", "short")
    with pytest.raises(SettingsError) as err:
        load_secret(tmp_path)
    assert err.value.code == "settings.weak-secret"
