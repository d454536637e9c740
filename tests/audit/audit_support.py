"""Helpers for the audit tests: kept scenario logs in SQLite or PostgreSQL, and direct access to their rows."""

import asyncio
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4

import asyncpg
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from adapters.postgres import PostgresEventStore, ensure_database
from adapters.sqlite.event_store import SqliteEventStore
from entrypoints.cli import app
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.log_chain import Head, Linker, LoggedRow
from infrastructure.settings import Settings

SERVER = os.environ.get("CHANWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
SCENARIOS = Path(__file__).parents[1] / "scenarios"


def fresh_settings(backend: str, folder: Path) -> Settings:
    """Settings naming an empty log: a new SQLite file, or a new PostgreSQL database."""
    dsn = urlunsplit(urlsplit(SERVER)._replace(path=f"/chanwarden_audit_{uuid4().hex[:12]}"))
    return Settings(event_store=backend, cache="memory", sqlite_path=folder / f"{uuid4().hex[:8]}.db",
                    postgres_dsn=SecretStr(dsn))


async def open_store(settings: Settings) -> Any:
    linker = Linker.of(settings.audit_key)
    if settings.event_store == "sqlite":
        return SqliteEventStore(settings.sqlite_path, linker=linker)
    dsn = settings.postgres_dsn.get_secret_value()
    await ensure_database(dsn)
    return await PostgresEventStore.open(dsn, linker=linker)


def cli_env(settings: Settings) -> dict[str, str | None]:
    key = settings.audit_key.get_secret_value() if settings.audit_key else None  # None: unset for the command
    return {"CHANWARDEN_EVENT_STORE": settings.event_store, "CHANWARDEN_SQLITE_PATH": str(settings.sqlite_path),
            "CHANWARDEN_POSTGRES_DSN": settings.postgres_dsn.get_secret_value(), "CHANWARDEN_CACHE": settings.cache,
            "CHANWARDEN_REDIS_PREFIX": settings.redis_prefix, "CHANWARDEN_AUDIT_KEY": key, "COLUMNS": "200"}


async def audit(settings: Settings, *args: str) -> Result:
    """`chanwarden audit ...` on the settings' log. The CLI runs its own event loop (asyncio.run), so it is
    invoked from a thread."""
    return await asyncio.to_thread(CliRunner().invoke, app, ["audit", *args], env=cli_env(settings))


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
        """Run SQL on the kept log directly, as someone tampering with it would ($n or ? placeholders alike;
        {events}, {tracking} and {head} name the log's tables)."""
        if self.settings.event_store == "sqlite":
            names = {"{events}": "stored_events", "{tracking}": "tracking", "{head}": "log_head"}
            db = sqlite3.connect(str(self.settings.sqlite_path), isolation_level=None)
            db.execute(re.sub(r"\$\d+", "?", _named(sql, names)), [_sqlite(a) for a in args])
            db.close()
            return
        names = {"{events}": "chanwarden_events", "{tracking}": "chanwarden_tracking", "{head}": "chanwarden_log_head"}
        conn = await asyncpg.connect(self.settings.postgres_dsn.get_secret_value())
        try:
            await conn.execute(_named(sql, names), *args)
        finally:
            await conn.close()

    async def rows(self) -> list[LoggedRow]:
        return await self.run.store.read_log(0, 10_000)

    async def streams(self) -> dict[UUID, list[LoggedRow]]:
        """Each stream's rows in version order, streams in the order they began."""
        found: dict[UUID, list[LoggedRow]] = {}
        for row in await self.rows():
            found.setdefault(row.event.originator_id, []).append(row)
        return found

    async def insert(self, row: LoggedRow) -> None:
        """A row put in by hand, with whatever evidence the forger gives it."""
        event = row.event
        await self.execute(
            "INSERT INTO {events} (notification_id, originator_id, originator_version, topic, state, hash, link, "
            "keyed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            row.position, event.originator_id, event.originator_version, event.topic, bytes(event.state),
            row.stream_hash, row.link, row.keyed_by,
        )

    async def set_head(self, head: Head) -> None:
        await self.execute("UPDATE {head} SET position = $1, link = $2, keyed_by = $3, seal = $4",
                           head.position, head.link, head.keyed_by, head.seal)

    async def move(self, position: int, to: int) -> None:
        await self.execute("UPDATE {events} SET notification_id = $1 WHERE notification_id = $2", to, position)

    async def swap(self, first: int, second: int) -> None:
        """Two rows trade positions (through a free one, as positions are unique)."""
        await self.move(first, -1)
        await self.move(second, first)
        await self.move(-1, second)

    async def delete(self, *positions: int) -> None:
        for position in positions:
            await self.execute("DELETE FROM {events} WHERE notification_id = $1", position)


def _named(sql: str, names: dict[str, str]) -> str:
    for placeholder, name in names.items():
        sql = sql.replace(placeholder, name)
    return sql


def _sqlite(value: Any) -> Any:
    return value.hex if isinstance(value, UUID) else value


async def dump(store: Any) -> list[tuple[Any, ...]]:
    """Every stored row as (stream, version, topic, state, hash), in log order: what an import must reproduce."""
    rows, after = [], 0
    while page := await store.read_all_stored(after, 1000):
        rows += [(str(r.originator_id), r.originator_version, r.topic, bytes(r.state), h) for _, r, h in page]
        after = page[-1][0]
    return rows
