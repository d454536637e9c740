"""Helpers for the audit tests: kept scenario logs in SQLite or PostgreSQL, and direct access to their rows."""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
from pydantic import SecretStr

from adapters.postgres import PostgresEventStore, ensure_database
from adapters.sqlite.event_store import SqliteEventStore
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings

SERVER = os.environ.get("CHANWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
SCENARIOS = Path(__file__).parents[1] / "scenarios"


def fresh_settings(backend: str, folder: Path) -> Settings:
    """Settings naming an empty log: a new SQLite file, or a new PostgreSQL database."""
    dsn = urlunsplit(urlsplit(SERVER)._replace(path=f"/chanwarden_audit_{uuid4().hex[:12]}"))
    return Settings(event_store=backend, cache="memory", sqlite_path=folder / f"{uuid4().hex[:8]}.db",
                    postgres_dsn=SecretStr(dsn))


async def open_store(settings: Settings) -> Any:
    if settings.event_store == "sqlite":
        return SqliteEventStore(settings.sqlite_path)
    dsn = settings.postgres_dsn.get_secret_value()
    await ensure_database(dsn)
    return await PostgresEventStore.open(dsn)


def cli_env(settings: Settings) -> dict[str, str]:
    return {"CHANWARDEN_EVENT_STORE": settings.event_store, "CHANWARDEN_SQLITE_PATH": str(settings.sqlite_path),
            "CHANWARDEN_POSTGRES_DSN": settings.postgres_dsn.get_secret_value(), "CHANWARDEN_CACHE": settings.cache,
            "CHANWARDEN_REDIS_PREFIX": settings.redis_prefix, "COLUMNS": "200"}


@dataclass
class Moment:
    """The state the read models had after a step, rebuilt from the log as it stood then."""

    at: Any
    groups: list[Any]
    verdicts: list[Any]


class Played:
    """A scenario played with its store kept: `settings` name the kept log, `moments` the state after each step."""

    def __init__(self, run: ScenarioRun) -> None:
        self.run = run
        self.moments: list[Moment] = []

    @property
    def settings(self) -> Settings:
        return self.run._run_settings

    async def execute(self, sql: str, *args: Any) -> None:
        """Run SQL on the kept log directly, as someone tampering with it would ($1 or ? placeholders alike)."""
        if self.settings.event_store == "sqlite":
            db = sqlite3.connect(str(self.settings.sqlite_path), isolation_level=None)
            db.execute(sql.replace("{events}", "stored_events").replace("$1", "?").replace("$2", "?"), args)
            db.close()
            return
        conn = await asyncpg.connect(self.settings.postgres_dsn.get_secret_value())
        try:
            await conn.execute(sql.replace("{events}", "chanwarden_events"), *args)
        finally:
            await conn.close()


async def dump(store: Any) -> list[tuple[Any, ...]]:
    """Every stored row as (stream, version, topic, state, hash), in log order: what an import must reproduce."""
    rows, after = [], 0
    while page := await store.read_all_stored(after, 1000):
        rows += [(str(r.originator_id), r.originator_version, r.topic, bytes(r.state), h) for _, r, h in page]
        after = page[-1][0]
    return rows
