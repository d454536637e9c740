"""The log's schema in PostgreSQL, versioned so that later changes (hashes, the log chain) apply once and in order.

The tables are eventsourcing's own layout, with its index name and storage settings, so the library's
recorders can open the same tables without creating anything beside them.
"""

from collections.abc import Callable
from urllib.parse import unquote, urlsplit

import asyncpg

from adapters.postgres.append_function import append_function
from adapters.postgres.tables import Tables, quote

# An append-only table is never updated, so vacuum has little to do but statistics must keep up (as eventsourcing).
_STORAGE = (
    "WITH (autovacuum_enabled = true, autovacuum_vacuum_threshold = 100000000, "
    "autovacuum_vacuum_scale_factor = 0.5, autovacuum_analyze_threshold = 1000, "
    "autovacuum_analyze_scale_factor = 0.01)"
)


def _initial(t: Tables) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {t.events} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
        f"topic text, state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version)) "
        f"{_STORAGE}",
        f"CREATE UNIQUE INDEX IF NOT EXISTS {quote(t.name + '_events_notification_id_idx')} "
        f"ON {t.events} (notification_id ASC)",
        f"CREATE TABLE IF NOT EXISTS {t.tracking} (application_name text, notification_id bigint, "
        f"PRIMARY KEY (application_name)) {_STORAGE}",
        # eventsourcing's tracking recorder rebuilds a tracking table that lacks this marker row.
        f"INSERT INTO {t.tracking} VALUES ('__migration__', 1) ON CONFLICT DO NOTHING",
        append_function(t),
    ]


def _snapshots(t: Tables) -> list[str]:
    # eventsourcing's own snapshot table layout, so its snapshot recorder could read ours.
    return [
        f"CREATE TABLE IF NOT EXISTS {t.snapshots} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
        f"topic text, state bytea, PRIMARY KEY (originator_id, originator_version)) {_STORAGE}",
    ]


def _event_hashes(t: Tables) -> list[str]:
    """The tamper-evidence hash of every event (infrastructure/event_hashing.py), written by the append function.

    The column is nullable: rows stored before this step, or by eventsourcing's own recorder, have none, and
    the auditor reports them as unhashed. The seven-argument function is dropped so that no caller of ours
    can keep appending without a hash.
    """
    return [
        f"ALTER TABLE {t.events} ADD COLUMN IF NOT EXISTS hash bytea",
        f"DROP FUNCTION IF EXISTS {t.append}(uuid[], bigint[], text[], bytea[], text, bigint, integer)",
        append_function(t, "hashed"),
    ]


def _log_chain(t: Tables) -> list[str]:
    """The log chain and its head record (infrastructure/log_chain.py), written by the append function.

    Both columns are nullable: rows stored before this step, or by eventsourcing's own recorder, carry no link,
    and the auditor reports them for what they are. The eight-argument function is dropped so that no caller
    of ours can keep appending unlinked rows.
    """
    return [
        f"ALTER TABLE {t.events} ADD COLUMN IF NOT EXISTS link bytea, ADD COLUMN IF NOT EXISTS keyed_by bytea",
        f"CREATE TABLE IF NOT EXISTS {t.head} (single boolean PRIMARY KEY DEFAULT true CHECK (single), "
        "position bigint NOT NULL, link bytea NOT NULL, keyed_by bytea, seal bytea)",
        f"DROP FUNCTION IF EXISTS {t.append}(uuid[], bigint[], text[], bytea[], text, bigint, integer, bytea[])",
        append_function(t, "linked"),
    ]


# Append only; never edit a released step.
MIGRATIONS: list[Callable[[Tables], list[str]]] = [_initial, _snapshots, _event_hashes, _log_chain]


async def migrate(dsn: str, name: str = "chanwarden", schema: str | None = None) -> int:
    """Bring the schema up to date and return its version; safe to run from many processes at once."""
    tables = Tables(name, schema or "public")
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            # Concurrent migrators queue here instead of racing on CREATE ... IF NOT EXISTS.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{tables.schema}.{name}.migrate")
            if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", tables.schema):
                await conn.execute(f"CREATE SCHEMA {quote(tables.schema)}")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {tables.versions} "
                "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            current = await conn.fetchval(f"SELECT coalesce(max(version), 0) FROM {tables.versions}")
            for version in range(current + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1](tables):
                    await conn.execute(statement)
                await conn.execute(f"INSERT INTO {tables.versions} (version) VALUES ($1)", version)
                current = version
        return current
    finally:
        await conn.close()


def database_name(dsn: str) -> str:
    name = unquote(urlsplit(dsn).path.lstrip("/"))
    if not name:
        raise ValueError("the DSN names no database")
    return name


async def ensure_database(dsn: str) -> None:
    """Create the DSN's database when it does not exist yet (needs CREATEDB)."""
    name = database_name(dsn)
    conn = await asyncpg.connect(dsn, database="postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            try:
                await conn.execute(f"CREATE DATABASE {quote(name)}")
            except asyncpg.DuplicateDatabaseError:
                pass  # another process created it between our check and our CREATE
    finally:
        await conn.close()


async def drop_database(dsn: str) -> None:
    """Drop the DSN's database, disconnecting whoever is still in it."""
    conn = await asyncpg.connect(dsn, database="postgres")
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {quote(database_name(dsn))} WITH (FORCE)")
    finally:
        await conn.close()
