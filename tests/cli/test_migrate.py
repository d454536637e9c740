"""`chanwarden migrate` creates the PostgreSQL database and schema, and is safe to run twice."""

import asyncio
import uuid

import asyncpg
from typer.testing import CliRunner

from adapters.postgres import drop_database
from adapters.postgres.migrations import MIGRATIONS
from entrypoints.cli import app


def test_migrate_twice_on_a_new_database(monkeypatch) -> None:
    dsn = f"postgresql://postgres@127.0.0.1:5432/chanwarden_migrate_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "postgres")
    monkeypatch.setenv("CHANWARDEN_POSTGRES_DSN", dsn)
    try:
        for _ in range(2):
            result = CliRunner().invoke(app, ["migrate"])
            assert result.exit_code == 0, result.output
            assert f"schema at version {len(MIGRATIONS)}" in result.output

        async def tables() -> list[str]:
            conn = await asyncpg.connect(dsn)
            try:
                rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE tablename LIKE 'chanwarden_%'")
                return sorted(r[0] for r in rows)
            finally:
                await conn.close()

        assert {"chanwarden_events", "chanwarden_tracking", "chanwarden_snapshots"} <= set(asyncio.run(tables()))
    finally:
        asyncio.run(drop_database(dsn))
