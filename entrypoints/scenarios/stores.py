"""A fresh PostgreSQL database for each scenario run, dropped afterwards unless kept."""

import uuid
from urllib.parse import urlsplit, urlunsplit

from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.migrations import drop_database, ensure_database
from infrastructure.settings import Settings


def run_dsn(settings: Settings) -> str:
    parts = urlsplit(settings.postgres_dsn.get_secret_value())
    return urlunsplit(parts._replace(path=f"/chanwarden_sim_{uuid.uuid4().hex[:12]}"))


async def open_postgres_store(dsn: str) -> PostgresEventStore:
    await ensure_database(dsn)
    return await PostgresEventStore.open(dsn)


async def drop_postgres_store(dsn: str) -> None:
    await drop_database(dsn)
