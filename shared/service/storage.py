"""SQLite through aiosqlite: one database file, WAL, per-service migrations.

Each service owns a namespace and an ordered list of migration scripts; the
version reached is recorded in ``schema_migrations`` so a migration runs once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from shared.errors import SatchelError


class StorageError(SatchelError):
    """The database could not be opened or migrated."""

    code = "storage.failed"


class Database:
    """One aiosqlite connection (WAL, foreign keys) shared by the services of a process.

    Writes go through :meth:`transaction`, which serialises writers with a lock so
    that a failure rolls back everything the block did.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        """Open the file (creating it) and set the pragmas."""
        if self._conn is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " namespace TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
        self._conn = conn

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._conn is None:
            raise StorageError("The database is not open.", code="storage.closed")
        return self._conn

    async def migrate(self, namespace: str, migrations: Sequence[str]) -> int:
        """Apply the scripts of ``namespace`` not yet applied; return the version reached."""
        async with self.transaction() as conn:
            cur = await conn.execute(
                "SELECT version FROM schema_migrations WHERE namespace = ?", (namespace,)
            )
            row = await cur.fetchone()
            current = int(row[0]) if row else 0
            for version, script in enumerate(migrations[current:], start=current + 1):
                for statement in _statements(script):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (namespace, version) VALUES (?, ?) "
                    "ON CONFLICT(namespace) DO UPDATE SET version = excluded.version",
                    (namespace, version),
                )
            return max(current, len(migrations))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        async with self._write_lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """One row of a read query, or None."""
        cur = await self.conn.execute(sql, tuple(params))
        row = await cur.fetchone()
        await cur.close()
        return row

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Every row of a read query."""
        cur = await self.conn.execute(sql, tuple(params))
        rows = list(await cur.fetchall())
        await cur.close()
        return rows


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
