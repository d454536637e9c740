"""The log's schema in PostgreSQL, versioned so that later changes (an event hash column) apply once and in order.

The tables are eventsourcing's own layout, with its index name and storage settings, so the library's
recorders can open the same tables without creating anything beside them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import asyncpg

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# An append-only table is never updated, so vacuum has little to do but statistics must keep up (as eventsourcing).
_STORAGE = (
    "WITH (autovacuum_enabled = true, autovacuum_vacuum_threshold = 100000000, "
    "autovacuum_vacuum_scale_factor = 0.5, autovacuum_analyze_threshold = 1000, "
    "autovacuum_analyze_scale_factor = 0.01)"
)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class Tables:
    """Quoted, schema-qualified names of everything one log owns."""

    name: str
    schema: str = "public"

    def __post_init__(self) -> None:
        for part in (self.name, self.schema):
            if not _NAME.match(part) or len(part) > 48:
                raise ValueError(f"not a usable identifier: {part!r}")

    def _qualified(self, suffix: str) -> str:
        return f"{quote(self.schema)}.{quote(self.name + suffix)}"

    @property
    def events(self) -> str:
        return self._qualified("_events")

    @property
    def tracking(self) -> str:
        return self._qualified("_tracking")

    @property
    def versions(self) -> str:
        return self._qualified("_schema_version")

    @property
    def snapshots(self) -> str:
        return self._qualified("_snapshots")

    @property
    def append(self) -> str:
        return self._qualified("_append")

    @property
    def channel(self) -> str:
        # eventsourcing notifies on the bare events-table name, whatever the schema.
        return f"{self.name}_events"


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
        _append_function(t),
    ]


def _append_function(t: Tables, hashed: bool = False) -> str:
    """The whole write protocol as one server-side call: one round trip, one transaction.

    The EXCLUSIVE lock (which readers do not wait for) makes insert order equal commit order, so a reader
    that resumes after the highest position it has seen never skips a row committed later. Taking it
    before the tracking upsert keeps lock order fixed between writers, so they cannot deadlock.
    The first version (migration 1) stores no hash; migration 3 replaces it with one that does.
    """
    hashes = ", p_hashes bytea[]" if hashed else ""
    column, value, array, alias = (", hash", ", e.h", ", p_hashes", ", h") if hashed else ("", "", "", "")
    return f"""
CREATE OR REPLACE FUNCTION {t.append}(
    p_ids uuid[], p_versions bigint[], p_topics text[], p_states bytea[],
    p_reader text, p_position bigint, p_lock_timeout_ms integer{hashes}
) RETURNS bigint[] LANGUAGE plpgsql AS $body$
DECLARE
    positions bigint[] := '{{}}';
BEGIN
    IF cardinality(p_ids) > 0 THEN
        PERFORM set_config('lock_timeout', p_lock_timeout_ms::text, true);  -- SET LOCAL
        LOCK TABLE {t.events} IN EXCLUSIVE MODE;
        NOTIFY {quote(t.channel)};
        WITH inserted AS (
            INSERT INTO {t.events} (originator_id, originator_version, topic, state{column})
            SELECT e.i, e.v, e.t, e.s{value}
            FROM unnest(p_ids, p_versions, p_topics, p_states{array}) WITH ORDINALITY AS e(i, v, t, s{alias}, n)
            ORDER BY e.n
            RETURNING notification_id
        )
        SELECT array_agg(inserted.notification_id ORDER BY inserted.notification_id) INTO positions FROM inserted;
    END IF;
    IF p_reader IS NOT NULL THEN
        INSERT INTO {t.tracking} AS tr (application_name, notification_id) VALUES (p_reader, p_position)
        ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id
        WHERE tr.notification_id < excluded.notification_id;
        IF NOT FOUND THEN
            RAISE unique_violation USING MESSAGE = format('%s already tracked %s or later', p_reader, p_position);
        END IF;
    END IF;
    RETURN positions;
END
$body$"""


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
        _append_function(t, hashed=True),
    ]


# Append only; never edit a released step.
MIGRATIONS: list[Callable[[Tables], list[str]]] = [_initial, _snapshots, _event_hashes]


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
