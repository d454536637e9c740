import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest
from event_store_contract import WHEN, DurableEventStoreContract, StoreFactory, a_group, a_verdict, assert_chained

from adapters.postgres import PostgresEventStore, drop_database, ensure_database, migrate, migrations
from adapters.postgres.migrations import MIGRATIONS
from adapters.postgres.tables import Tables
from domain.protected_group import ProtectedGroup
from entrypoints.audit.verify import verify_store
from infrastructure.event_codec import EventCodec
from infrastructure.event_hashing import chain
from infrastructure.log_chain import Linker


class TestPostgresEventStore(DurableEventStoreContract):
    @pytest.fixture
    async def make_store(self, pg_dsn: str, log_name: str) -> AsyncIterator[StoreFactory]:
        opened: list[PostgresEventStore] = []

        async def open_store(linker: Linker | None = None) -> PostgresEventStore:
            opened.append(await PostgresEventStore.open(pg_dsn, log_name, linker=linker))
            return opened[-1]

        yield open_store
        for store in opened:
            await store.close()



async def test_tables_are_in_eventsourcings_layout(pg_dsn: str, log_name: str) -> None:
    store = await PostgresEventStore.open(pg_dsn, log_name)
    await store.close()
    conn = await asyncpg.connect(pg_dsn)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ANY($1) ORDER BY table_name, ordinal_position",
            [f"{log_name}_events", f"{log_name}_tracking"],
        )
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname", f"{log_name}_events"
        )
    finally:
        await conn.close()

    assert [tuple(c) for c in columns] == [
        (f"{log_name}_events", "originator_id", "uuid"),
        (f"{log_name}_events", "originator_version", "bigint"),
        (f"{log_name}_events", "topic", "text"),
        (f"{log_name}_events", "state", "bytea"),
        (f"{log_name}_events", "notification_id", "bigint"),
        (f"{log_name}_events", "hash", "bytea"),  # ours, nullable: eventsourcing's recorder leaves it empty
        (f"{log_name}_events", "link", "bytea"),  # the log chain's, nullable for the same reason
        (f"{log_name}_events", "keyed_by", "bytea"),
        (f"{log_name}_tracking", "application_name", "text"),
        (f"{log_name}_tracking", "notification_id", "bigint"),
    ]
    assert [i["indexname"] for i in indexes] == [
        f"{log_name}_events_notification_id_idx",
        f"{log_name}_events_pkey",
    ]
    assert "UNIQUE" in indexes[0]["indexdef"]
    assert "(originator_id, originator_version)" in indexes[1]["indexdef"]


async def test_migrations_are_versioned_and_idempotent(pg_dsn: str, log_name: str) -> None:
    versions = await asyncio.gather(*(migrate(pg_dsn, log_name) for _ in range(4)))
    latest = len(MIGRATIONS)
    assert versions == [latest] * 4
    assert await migrate(pg_dsn, log_name) == latest
    conn = await asyncpg.connect(pg_dsn)
    try:
        applied = await conn.fetchval(f"SELECT array_agg(version) FROM {log_name}_schema_version")
        assert applied == list(range(1, latest + 1))
    finally:
        await conn.close()


async def test_a_schema_keeps_its_own_log(pg_dsn: str, log_name: str) -> None:
    in_schema = await PostgresEventStore.open(pg_dsn, log_name, schema=f"s_{log_name}")
    in_public = await PostgresEventStore.open(pg_dsn, log_name)
    try:
        events = a_group().collect_events()
        await in_schema.append(events)
        assert [r.event for r in await in_schema.read_all()] == events
        assert await in_public.read_all() == []
    finally:
        await in_schema.close()
        await in_public.close()


async def test_wait_for_events_wakes_on_another_process_append(pg_dsn: str, log_name: str) -> None:
    follower = await PostgresEventStore.open(pg_dsn, log_name)
    writer = await PostgresEventStore.open(pg_dsn, log_name)
    try:
        assert await follower.wait_for_events(timeout=0.05) is False

        async def append_soon() -> None:
            await asyncio.sleep(0.05)
            await writer.append(a_group().collect_events())

        appending = asyncio.create_task(append_soon())
        assert await follower.wait_for_events(timeout=5) is True
        await appending

        # An append between a follower's read and its wait is not slept through.
        seen = await follower.notification_count()
        await writer.append(a_verdict().collect_events())
        await asyncio.sleep(0.1)
        assert await follower.wait_for_events(timeout=0.05, seen=seen) is True
    finally:
        await follower.close()
        await writer.close()


async def test_writers_wait_for_the_table_lock_and_readers_do_not(pg_dsn: str, log_name: str) -> None:
    store = await PostgresEventStore.open(pg_dsn, log_name, lock_timeout=0.2)
    await store.append(a_group().collect_events())
    blocker = await asyncpg.connect(pg_dsn)
    try:
        async with blocker.transaction():
            await blocker.execute(f"LOCK TABLE {log_name}_events IN EXCLUSIVE MODE")
            assert len(await store.read_all()) == 3
            with pytest.raises(asyncpg.LockNotAvailableError):
                await store.append(a_verdict().collect_events())
        await store.append(a_verdict().collect_events())
        assert len(await store.read_all()) == 6
    finally:
        await blocker.close()
        await store.close()


async def test_batched_append_is_fast(pg_dsn: str, log_name: str) -> None:
    store = await PostgresEventStore.open(pg_dsn, log_name)
    group = a_group()
    await store.append(group.collect_events())
    refused = ProtectedGroup.CommandRefused
    batches = [
        [
            refused(
                originator_id=group.id, originator_version=v, timestamp=WHEN + timedelta(seconds=v), by=1, command="/x"
            )
            for v in range(start, start + 500)
        ]
        for start in range(4, 10_004, 500)
    ]
    try:
        started = time.perf_counter()
        for batch in batches:
            await store.append(batch)
        rate = 10_000 / (time.perf_counter() - started)
        assert await store.last_position() == 10_003
    finally:
        await store.close()
    print(f"batched append: {rate:.0f} events/s")
    assert rate > 2_000  # a floor far below normal, to catch a per-row statement creeping back


async def test_database_is_created_once_and_dropped(pg_dsn: str) -> None:
    dsn = urlunsplit(urlsplit(pg_dsn)._replace(path=f"/chanwarden_test_{uuid4().hex[:12]}"))
    await ensure_database(dsn)
    await ensure_database(dsn)
    conn = await asyncpg.connect(dsn)
    await conn.close()
    await drop_database(dsn)
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await asyncpg.connect(dsn)


async def test_a_log_written_before_the_chain_keeps_verifying_and_later_appends_start_it(
    pg_dsn: str, log_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log as the release before the log chain left it: schema version 3, rows with stream hashes only."""
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:3])
    assert await migrate(pg_dsn, log_name) == 3
    monkeypatch.undo()
    rows = [EventCodec().encode(e) for e in a_group().collect_events()]
    conn = await asyncpg.connect(pg_dsn)
    try:
        await conn.fetchval(f"SELECT {Tables(log_name).append}($1, $2, $3, $4, NULL, NULL, 1000, $5)",
                            [r.originator_id for r in rows], [r.originator_version for r in rows],
                            [r.topic for r in rows], [r.state for r in rows], chain(rows, lambda *_: None))
    finally:
        await conn.close()

    store = await PostgresEventStore.open(pg_dsn, log_name)  # migrates to the log chain
    try:
        before = await verify_store(store)
        assert before.ok() and (before.before_chain, before.linked) == (3, 0)
        await store.append(a_verdict().collect_events())
        after = await verify_store(store)
        assert after.ok(), after.problems
        assert (after.before_chain, after.linked) == (3, 3)
        assert any("written before the log chain" in note for note in after.notes)
    finally:
        await store.close()


async def test_two_processes_appending_at_once_keep_one_chain(pg_dsn: str, log_name: str) -> None:
    """Each continues from the head it last saw; when the other moved it meanwhile, the append function refuses
    the links under the table lock and the writer relinks from the head it is told of."""
    first, second = [await PostgresEventStore.open(pg_dsn, log_name) for _ in range(2)]
    try:
        verdicts = [a_verdict(member_id=n) for n in range(60)]
        await asyncio.gather(*((first if n % 2 else second).append(v.collect_events())
                               for n, v in enumerate(verdicts)))
        assert len(await assert_chained(first, Linker())) == 3 * 60
    finally:
        await first.close()
        await second.close()
