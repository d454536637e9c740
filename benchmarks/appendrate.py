"""Batched append rate of our event stores, and of eventsourcing's own PostgreSQL recorder, in one run.

One writer appends batches of real encoded verdict events (Opened + SubscriptionVerified per member, 50
members per batch) into tables of the same layout in the same database, ours first, then the library's.
"""

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from adapters.postgres import PostgresEventStore, drop_database, ensure_database
from adapters.sqlite.event_store import SqliteEventStore
from domain.membership_verdict import MembershipVerdict
from infrastructure.backends import isolated
from infrastructure.event_codec import EventCodec
from infrastructure.settings import Settings

BATCH = 100
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def batches(count: int, seed: int) -> list[list]:
    """`count` batches of BATCH stored events, each member's stream new (no conflicts, as in a raid)."""
    codec = EventCodec()
    out = []
    for b in range(count):
        events = []
        for m in range(BATCH // 2):
            verdict = MembershipVerdict(chat_id=-100 - seed, member_id=b * BATCH + m, timestamp=WHEN)
            verdict.verify([1, 2], "message", WHEN)
            events.extend(codec.encode(e) for e in verdict.collect_events())
        out.append(events)
    return out


async def ours_postgres(dsn: str, rows: list[list]) -> float:
    store = await PostgresEventStore.open(dsn, "bench_ours")
    try:
        start = time.perf_counter()
        for batch in rows:
            await store.append_stored(batch)
        return sum(map(len, rows)) / (time.perf_counter() - start)
    finally:
        await store.close()


def library_postgres(dsn: str, rows: list[list]) -> float | None:
    try:
        from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
    except ImportError:  # psycopg is a development dependency
        return None
    parts = urlsplit(dsn)
    datastore = PostgresDatastore(dbname=parts.path.lstrip("/"), host=parts.hostname or "127.0.0.1",
                                  port=parts.port or 5432, user=parts.username or "postgres",
                                  password=parts.password or "")
    try:
        recorder = PostgresApplicationRecorder(datastore, events_table_name="bench_library_events")
        recorder.create_table()
        start = time.perf_counter()
        for batch in rows:
            recorder.insert_events(batch)
        return sum(map(len, rows)) / (time.perf_counter() - start)
    finally:
        datastore.close()


async def ours_sqlite(rows: list[list]) -> float:
    codec = EventCodec()
    with tempfile.TemporaryDirectory(prefix="chanwarden-append-") as directory:
        store = SqliteEventStore(Path(directory) / "events.db")
        try:
            decoded = [[codec.decode(r) for r in batch] for batch in rows]  # its port takes domain events
            start = time.perf_counter()
            for batch in decoded:
                await store.append(batch)
            return sum(map(len, rows)) / (time.perf_counter() - start)
        finally:
            await store.close()


async def measure(count: int, seed: int = 0, postgres: bool = True) -> dict:
    result: dict = {"batch": BATCH, "events": count * BATCH, "postgres": None}
    if postgres:
        dsn = isolated(Settings()).postgres_dsn.get_secret_value()
        await ensure_database(dsn)
        try:
            ours = await ours_postgres(dsn, batches(count, seed))
            library = await asyncio.to_thread(library_postgres, dsn, batches(count, seed + 1))
        finally:
            await drop_database(dsn)
        result["postgres"] = {"ours": round(ours), "eventsourcing": round(library) if library else None,
                              "ours_vs_eventsourcing": round(ours / library, 2) if library else None}
    result["sqlite"] = {"ours": round(await ours_sqlite(batches(count, seed + 2)))}
    return result
