"""Group commit: writers waiting together share one write, and a conflict reaches only its own writer."""

import asyncio
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from adapters.postgres.group_commit import GroupCommit
from application.ports.event_store import ConcurrencyConflict


def row(stream, version: int) -> StoredEvent:
    return StoredEvent(stream, version, "topic", b"{}")


class Log:
    """A write that takes a moment, rejects a taken (stream, version) with the whole batch, and counts."""

    def __init__(self) -> None:
        self.rows: list[StoredEvent] = []
        self.writes: list[int] = []

    async def write(self, rows) -> list[int]:
        await asyncio.sleep(0.01)
        taken = {(r.originator_id, r.originator_version) for r in self.rows}
        keys = [(r.originator_id, r.originator_version) for r in rows]
        if taken & set(keys) or len(set(keys)) < len(keys):
            raise ConcurrencyConflict("taken")
        self.writes.append(len(rows))
        self.rows.extend(rows)
        return list(range(len(self.rows) - len(rows) + 1, len(self.rows) + 1))


async def test_writers_arriving_together_share_one_write_and_get_their_own_positions() -> None:
    log = Log()
    commit = GroupCommit(log.write)
    streams = [uuid4() for _ in range(50)]
    results = await asyncio.gather(*(commit.append([row(s, 1), row(s, 2)]) for s in streams))
    assert sum(log.writes) == 100
    assert len(log.writes) < 50 and max(log.writes) > 2
    for stream, positions in zip(streams, results, strict=True):
        assert [(log.rows[p - 1].originator_id, log.rows[p - 1].originator_version) for p in positions] == [
            (stream, 1),
            (stream, 2),
        ]


async def test_a_conflict_in_a_shared_write_reaches_only_the_writer_who_conflicted() -> None:
    log = Log()
    commit = GroupCommit(log.write)
    busy, others = uuid4(), [uuid4() for _ in range(5)]
    await commit.append([row(busy, 1)])
    results = await asyncio.gather(
        *(commit.append([row(s, 1)]) for s in others), commit.append([row(busy, 1)]), return_exceptions=True
    )
    assert isinstance(results[-1], ConcurrencyConflict)
    assert all(isinstance(r, list) and len(r) == 1 for r in results[:-1])
    written = [(r.originator_id, r.originator_version) for r in log.rows]
    assert len(written) == len(set(written)) == 6  # each once, the loser's not at all


async def test_two_writers_of_one_version_in_the_same_write_one_wins() -> None:
    log = Log()
    commit = GroupCommit(log.write)
    stream = uuid4()
    first = asyncio.ensure_future(commit.append([row(uuid4(), 1)]))  # makes the next two wait together
    await asyncio.sleep(0)
    results = await asyncio.gather(
        commit.append([row(stream, 1)]), commit.append([row(stream, 1)]), return_exceptions=True
    )
    await first
    assert sorted(type(r).__name__ for r in results) == ["ConcurrencyConflict", "list"]
    assert [r.originator_version for r in log.rows if r.originator_id == stream] == [1]


async def test_a_writer_cancelled_before_its_turn_writes_nothing() -> None:
    log = Log()
    commit = GroupCommit(log.write)
    first = asyncio.ensure_future(commit.append([row(uuid4(), 1)]))
    await asyncio.sleep(0)
    gone_stream = uuid4()
    gone = asyncio.ensure_future(commit.append([row(gone_stream, 1)]))
    await asyncio.sleep(0)
    gone.cancel()
    await first
    with pytest.raises(asyncio.CancelledError):
        await gone
    await asyncio.sleep(0.05)
    assert all(r.originator_id != gone_stream for r in log.rows)


async def test_a_failed_write_fails_every_writer_in_it() -> None:
    async def broken(rows) -> list[int]:
        await asyncio.sleep(0)
        raise OSError("connection lost")

    commit = GroupCommit(broken)
    results = await asyncio.gather(*(commit.append([row(uuid4(), 1)]) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, OSError) for r in results)


async def test_writes_respect_the_row_bound() -> None:
    log = Log()
    commit = GroupCommit(log.write, max_rows=10)
    await asyncio.gather(*(commit.append([row(uuid4(), 1), row(uuid4(), 1)]) for _ in range(30)))
    assert sum(log.writes) == 60 and max(log.writes) <= 10
