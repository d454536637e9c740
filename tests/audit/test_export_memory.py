"""Exporting pages through the log: peak memory stays bounded and does not grow with the number of events."""

import os
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.sqlite.event_store import SqliteEventStore
from domain.protected_group import ProtectedGroup
from entrypoints.audit.transfer import export_jsonl

BOUND = 50 * 2**20
STREAMS = 100
BATCH = 5000
WHEN = datetime(2026, 1, 1, 9, tzinfo=UTC)


async def a_log(path: Path, events: int) -> SqliteEventStore:
    """`events` small events over STREAMS streams, appended in large batches so building it takes seconds."""
    store = SqliteEventStore(path)
    ids = [ProtectedGroup.create_id(-1000 - n) for n in range(STREAMS)]
    per_stream = events // STREAMS
    batch = []
    for version in range(1, per_stream + 1):
        for stream in ids:
            batch.append(ProtectedGroup.CommandRefused(
                originator_id=stream, originator_version=version, timestamp=WHEN + timedelta(seconds=version),
                by=7, command="settings",
            ))
        if len(batch) >= BATCH:
            await store.append(batch)
            batch = []
    if batch:
        await store.append(batch)
    assert await store.last_position() == events
    return store


async def peak_while_exporting(store: SqliteEventStore, target: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with open(target, "w", encoding="utf-8") as out:
            count = await export_jsonl(store, out)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("large-logs")


async def test_export_memory_is_bounded_and_independent_of_the_log_size(folder: Path) -> None:
    peaks = {}
    for events in (20_000, 100_000):
        started = time.perf_counter()
        store = await a_log(folder / f"{events}.db", events)
        built = time.perf_counter() - started
        try:
            count, peaks[events] = await peak_while_exporting(store, folder / f"{events}.jsonl")
        finally:
            await store.close()
        assert count == events
        size = os.path.getsize(folder / f"{events}.jsonl")
        print(f"{events} events: built in {built:.1f}s, export {size / 2**20:.1f} MiB, "
              f"peak traced memory {peaks[events] / 2**20:.2f} MiB")
    assert peaks[100_000] < BOUND
    # Five times the events, about the same peak: one page is held at a time, never the log.
    assert peaks[100_000] < peaks[20_000] * 1.5 + 2**20
