"""The issuer's SQLite tables (one migration list, applied once each, in order)."""

from __future__ import annotations

# The migration namespace (the service's NAME).
NAME = "issuer"

MIGRATIONS: list[str] = [
    """
    CREATE TABLE issuer_profiles (
        slug TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url TEXT,
        image TEXT,
        email TEXT,
        did_method TEXT NOT NULL CHECK (did_method IN ('key', 'web')),
        web_root INTEGER NOT NULL DEFAULT 0,
        is_default INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX issuer_profiles_one_default ON issuer_profiles (is_default)
        WHERE is_default = 1;
    CREATE UNIQUE INDEX issuer_profiles_one_web_root ON issuer_profiles (web_root)
        WHERE web_root = 1;
    CREATE TABLE issuer_keys (
        profile TEXT NOT NULL REFERENCES issuer_profiles (slug),
        key_type TEXT NOT NULL,
        public_multikey TEXT NOT NULL,
        wrapped BLOB NOT NULL,
        PRIMARY KEY (profile, key_type)
    );
    CREATE TABLE issuer_templates (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE issuer_status_groups (
        id TEXT PRIMARY KEY,
        profile TEXT NOT NULL REFERENCES issuer_profiles (slug),
        issuer_did TEXT NOT NULL,
        key_type TEXT NOT NULL,
        format TEXT NOT NULL,
        size INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE issuer_status_lists (
        id TEXT PRIMARY KEY,
        status_group TEXT NOT NULL REFERENCES issuer_status_groups (id),
        purpose TEXT NOT NULL,
        bits BLOB NOT NULL,
        signed TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (status_group, purpose)
    );
    CREATE TABLE issuer_credentials (
        id TEXT PRIMARY KEY,
        credential_id TEXT NOT NULL,
        profile TEXT NOT NULL REFERENCES issuer_profiles (slug),
        template TEXT NOT NULL,
        recipient TEXT NOT NULL,
        suite TEXT NOT NULL,
        vcdm TEXT NOT NULL,
        issuer_did TEXT NOT NULL,
        status_group TEXT NOT NULL REFERENCES issuer_status_groups (id),
        status_index INTEGER NOT NULL,
        purposes TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active'
            CHECK (status IN ('active', 'revoked', 'suspended')),
        issued_at TEXT NOT NULL,
        valid_until TEXT,
        parent TEXT REFERENCES issuer_credentials (id) DEFERRABLE INITIALLY DEFERRED,
        credential TEXT NOT NULL,
        UNIQUE (status_group, status_index)
    );
    CREATE TABLE issuer_offers (
        id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL UNIQUE,
        code_wrapped BLOB NOT NULL,
        tx_code_hash TEXT,
        tx_attempts INTEGER NOT NULL DEFAULT 0,
        template TEXT NOT NULL,
        profile TEXT NOT NULL REFERENCES issuer_profiles (slug),
        suite TEXT NOT NULL,
        configuration_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        redeemed_at TEXT,
        token_hash TEXT UNIQUE,
        token_expires_at TEXT,
        claimed_at TEXT,
        credential TEXT REFERENCES issuer_credentials (id)
    );
    CREATE TABLE issuer_nonces (
        nonce TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
    )
    """,
]
