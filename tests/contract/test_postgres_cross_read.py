"""Our log and eventsourcing's own PostgreSQL recorder read and write the same tables."""

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import asyncpg
import pytest
from event_store_contract import WHEN, a_group, replay, state
from eventsourcing.application import Application
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from adapters.postgres import PostgresEventStore
from domain.protected_group import ProtectedGroup, linked_channel


def connection_settings(dsn: str) -> dict[str, str]:
    parts = urlsplit(dsn)
    return {
        "dbname": parts.path.lstrip("/"),
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": parts.username or "postgres",
        "password": parts.password or "",
    }


@pytest.fixture
def datastore(pg_dsn: str) -> Iterator[PostgresDatastore]:
    with PostgresDatastore(**connection_settings(pg_dsn)) as datastore:
        yield datastore


async def test_library_recorder_reads_our_rows_and_rebuilds_the_group(
    pg_dsn: str, log_name: str, datastore: PostgresDatastore
) -> None:
    store = await PostgresEventStore.open(pg_dsn, log_name)
    group = a_group()
    group.link(linked_channel(-2002, "Jobs"), by=42, timestamp=WHEN + timedelta(minutes=5))
    events = group.collect_events()
    positions = await store.append(events)
    await store.close()

    recorder = PostgresApplicationRecorder(datastore, events_table_name=f"{log_name}_events")
    stored = recorder.select_events(group.id)
    notifications = recorder.select_notifications(start=None, limit=10)

    assert [s.originator_version for s in stored] == [1, 2, 3, 4]
    assert [n.id for n in notifications] == positions
    assert recorder.max_notification_id() == positions[-1]
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    mapper = Mapper(transcoder=transcoder)
    read = [mapper.to_domain_event(s) for s in stored]
    assert read == events
    assert state(replay(read)) == state(group)


async def test_library_application_continues_a_group_we_started(pg_dsn: str, log_name: str) -> None:
    store = await PostgresEventStore.open(pg_dsn, log_name)
    group = a_group()
    await store.append(group.collect_events())
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres"}
    env.update({f"POSTGRES_{k.upper()}": v for k, v in connection_settings(pg_dsn).items()})
    app = type("ChanwardenApp", (Application,), {"name": log_name})(env=env)
    try:
        rebuilt = app.repository.get(group.id)
        assert isinstance(rebuilt, ProtectedGroup)
        assert state(rebuilt) == state(group)

        # The library writes with the same lock and NOTIFY channel, so our follower hears it.
        seen = await store.notification_count()
        rebuilt.change_setting("quiet", "on", by=42, timestamp=WHEN + timedelta(hours=1))
        await asyncio.to_thread(app.save, rebuilt)
        assert await store.wait_for_events(timeout=5, seen=seen)

        ours = replay(await store.read_stream(group.id))
        assert ours.settings.quiet is True
        assert state(ours) == state(rebuilt)
        assert [r.position for r in await store.read_all()] == [1, 2, 3, 4]
    finally:
        app.close()
        await store.close()

    conn = await asyncpg.connect(pg_dsn)
    try:
        indexes = await conn.fetchval("SELECT count(*) FROM pg_indexes WHERE tablename = $1", f"{log_name}_events")
    finally:
        await conn.close()
    assert indexes == 2  # the library found our tables its own, and created no second index beside them
