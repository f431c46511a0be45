"""The wallet's tables (SQLite). Every row that belongs to a learner names them."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    """
    CREATE TABLE wallet_learners (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE wallet_dids (
        did TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES wallet_learners(id) ON DELETE CASCADE,
        key_blob BLOB NOT NULL,
        is_primary INTEGER NOT NULL DEFAULT 0,
        label TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX wallet_dids_learner ON wallet_dids(learner_id);
    CREATE TABLE wallet_sessions (
        token_hash TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES wallet_learners(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE wallet_passkeys (
        credential_id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES wallet_learners(id) ON DELETE CASCADE,
        public_key BLOB NOT NULL,
        sign_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE wallet_challenges (
        id TEXT PRIMARY KEY,
        learner_id TEXT,
        purpose TEXT NOT NULL,
        challenge BLOB NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE wallet_imports (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES wallet_learners(id) ON DELETE CASCADE,
        raw BLOB NOT NULL,
        document TEXT NOT NULL,
        report TEXT NOT NULL,
        state TEXT NOT NULL,
        bytes_hash TEXT NOT NULL,
        identity TEXT,
        source TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX wallet_imports_learner ON wallet_imports(learner_id);
    CREATE TABLE wallet_credentials (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES wallet_learners(id) ON DELETE CASCADE,
        raw BLOB NOT NULL,
        document TEXT NOT NULL,
        report TEXT NOT NULL,
        state TEXT NOT NULL,
        last_checked TEXT NOT NULL,
        bytes_hash TEXT NOT NULL,
        identity TEXT,
        source TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'imported',
        search_text TEXT NOT NULL DEFAULT '',
        types TEXT NOT NULL DEFAULT '[]',
        skills TEXT NOT NULL DEFAULT '[]',
        name TEXT NOT NULL DEFAULT '',
        issued TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (learner_id, bytes_hash),
        UNIQUE (learner_id, identity)
    );
    CREATE TABLE wallet_shares (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES wallet_learners(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        credential_ids TEXT NOT NULL,
        presentation TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX wallet_shares_learner ON wallet_shares(learner_id);
    CREATE TABLE wallet_share_log (
        id INTEGER PRIMARY KEY,
        share_id TEXT NOT NULL REFERENCES wallet_shares(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        user_agent TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE wallet_requests (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES wallet_learners(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        request TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )
    """,
]
