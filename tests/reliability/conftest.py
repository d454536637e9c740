"""The event store a reliability test's bot processes share: an SQLite file in the test's folder, or a
throwaway PostgreSQL database."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest

from adapters.postgres import PostgresEventStore, drop_database, ensure_database
from adapters.sqlite.event_store import SqliteEventStore

PG_SERVER = os.environ.get("CHANWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request, tmp_path: Path):
    """(the bot's store settings, an opener for the test to read the log the bot left)."""
    opened: list = []
    if request.param == "sqlite":
        env, dsn = {"CHANWARDEN_EVENT_STORE": "sqlite"}, None
    else:
        dsn = urlunsplit(urlsplit(PG_SERVER)._replace(path=f"/chanwarden_crash_{uuid4().hex[:12]}"))
        try:
            await ensure_database(dsn)
        except (OSError, asyncpg.PostgresError) as error:
            pytest.skip(f"PostgreSQL is not reachable: {error}")
        env = {"CHANWARDEN_EVENT_STORE": "postgres", "CHANWARDEN_POSTGRES_DSN": dsn}

    async def opener():
        opened.append(SqliteEventStore(tmp_path / "events.db") if dsn is None else await PostgresEventStore.open(dsn))
        return opened[-1]

    yield env, opener
    for found in opened:
        await found.close()
    if dsn is not None:
        await drop_database(dsn)
