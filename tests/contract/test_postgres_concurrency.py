"""Many writers at once, and a follower that must see each event exactly once, in position order."""

import asyncio
import random
from datetime import timedelta
from uuid import UUID

import pytest
from event_store_contract import WHEN

from adapters.postgres import PostgresEventStore
from application.ports.event_store import ConcurrencyConflict, Recorded
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup
from entrypoints.audit.verify import verify_store

WRITERS = 20
APPENDS = 50


def refused(stream_id: UUID, version: int, writer: int) -> ProtectedGroup.CommandRefused:
    return ProtectedGroup.CommandRefused(
        originator_id=stream_id,
        originator_version=version,
        timestamp=WHEN + timedelta(milliseconds=version),
        by=writer,
        command=f"/unprotect #{writer}",
    )


async def follow(store: PostgresEventStore, writers_done: asyncio.Event) -> list[Recorded]:
    """Read the log from the last position seen until the writers are done and nothing is left."""
    seen: list[Recorded] = []
    while True:
        count = await store.notification_count()
        finished = writers_done.is_set()
        batch = await store.read_all(after=seen[-1].position if seen else 0, limit=97)
        seen.extend(batch)
        if finished and not batch:
            return seen
        if not batch:
            await store.wait_for_events(timeout=1, seen=count)


@pytest.mark.parametrize("shared_stream", [True, False], ids=["one-stream", "own-streams"])
async def test_concurrent_writers_and_a_follower(pg_dsn: str, log_name: str, shared_stream: bool) -> None:
    writer_store = await PostgresEventStore.open(pg_dsn, log_name, pool_size=10)
    follower_store = await PostgresEventStore.open(pg_dsn, log_name, pool_size=2)
    group = ProtectedGroup(chat_id=-1001, title="Busy", timestamp=WHEN)
    positions = await writer_store.append(group.collect_events())
    streams = [group.id] * WRITERS
    if not shared_stream:
        verdicts = [MembershipVerdict(chat_id=-1001, member_id=n, timestamp=WHEN) for n in range(WRITERS)]
        positions += await writer_store.append([e for v in verdicts for e in v.collect_events()])
        streams = [v.id for v in verdicts]
    initial = len(positions)
    conflicts = 0

    async def write(writer: int) -> None:
        nonlocal conflicts
        stream_id, version = streams[writer], 1
        for _ in range(APPENDS):
            while True:
                try:
                    positions.extend(await writer_store.append([refused(stream_id, version + 1, writer)]))
                    version += 1
                    break
                except ConcurrencyConflict:
                    # Someone else took this version: catch up from what we knew, back off, try again.
                    conflicts += 1
                    await asyncio.sleep(random.uniform(0, 0.004))
                    newer = await writer_store.read_stream(stream_id, after_version=version)
                    version = newer[-1].originator_version

    writers_done = asyncio.Event()
    try:
        following = asyncio.create_task(follow(follower_store, writers_done))
        await asyncio.gather(*(write(n) for n in range(WRITERS)))
        writers_done.set()
        seen = await asyncio.wait_for(following, timeout=30)

        seen_positions = [r.position for r in seen]
        assert len(seen) == len(positions) == initial + WRITERS * APPENDS
        assert seen_positions == sorted(positions)
        assert len(set(seen_positions)) == len(seen_positions)
        assert await follower_store.last_position() == seen_positions[-1]
        for stream_id in set(streams):
            versions = [e.originator_version for e in await follower_store.read_stream(stream_id)]
            assert versions == list(range(1, len(versions) + 1))
        if shared_stream:
            assert len(versions) == 1 + WRITERS * APPENDS
            assert conflicts > 0
        else:
            assert conflicts == 0
    finally:
        await writer_store.close()
        await follower_store.close()


async def test_appends_waiting_together_share_one_transaction(pg_dsn: str, log_name: str) -> None:
    store = await PostgresEventStore.open(pg_dsn, log_name, pool_size=10)
    try:
        verdicts = [MembershipVerdict(chat_id=-1002, member_id=n, timestamp=WHEN) for n in range(200)]
        results = await asyncio.gather(*(store.append(v.collect_events()) for v in verdicts))
        positions = [p for r in results for p in r]
        assert len(positions) == len(set(positions)) == 200
        for verdict, [position] in zip(verdicts, results, strict=True):
            [recorded] = [r for r in await store.read_all(after=position - 1, limit=1)]
            assert recorded.event.originator_id == verdict.id
        transactions = await store._pool.fetchval(f"SELECT count(DISTINCT xmin::text) FROM {store._tables.events}")
        assert transactions < 50  # one commit (one disk flush) for many appends
        verification = await verify_store(store)
        assert verification.ok() and verification.events == verification.hashed == 200
    finally:
        await store.close()
