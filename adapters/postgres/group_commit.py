"""Appends that wait at the same moment are written in one transaction (group commit).

Every append takes the events table's lock and waits for its commit to reach the disk, so one writer at a
time and one disk flush each: a few hundred appends a second, however many connections there are. Writers
arriving while an append is under way are queued and go out together in the next one. Two writers of one
stream never share a transaction. A conflict in a combined append (a writer that decided from a stale
state) rolls all of it back; the writers are then retried in halves until the conflicting one is alone,
so only it hears of the conflict and nobody's events are lost or written twice.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from eventsourcing.persistence import StoredEvent

from application.ports.event_store import ConcurrencyConflict

Write = Callable[[Sequence[StoredEvent]], Awaitable[list[int]]]
MAX_ROWS = 1_000  # per transaction: a bound on the time the lock is held


@dataclass
class _Waiting:
    rows: Sequence[StoredEvent]
    done: asyncio.Future[list[int]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def settle(self, positions: list[int] | None = None, error: BaseException | None = None) -> None:
        if self.done.done():
            return  # its writer gave up waiting (cancelled)
        if error is not None:
            self.done.set_exception(error)
        else:
            self.done.set_result(positions or [])


class GroupCommit:
    def __init__(self, write: Write, max_rows: int = MAX_ROWS) -> None:
        self._write = write
        self._max_rows = max_rows
        self._queue: deque[_Waiting] = deque()
        self._flushing: asyncio.Task | None = None

    async def append(self, rows: Sequence[StoredEvent]) -> list[int]:
        waiting = _Waiting(rows)
        self._queue.append(waiting)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush())
        return await waiting.done

    async def _flush(self) -> None:
        try:
            while self._queue:
                taken = self._take()
                if taken:
                    await self._write_together(taken)
        except BaseException as error:  # cancelled at shutdown: nobody is left waiting for ever
            while self._queue:
                self._queue.popleft().settle(error=error)
            raise

    def _take(self) -> list[_Waiting]:
        """The next writers, in arrival order; one writing a stream another taken writer writes waits for the
        next round, since both in one transaction would make it fail for everyone."""
        taken: list[_Waiting] = []
        later: deque[_Waiting] = deque()
        streams: set = set()
        rows = 0
        while self._queue and (not taken or rows + len(self._queue[0].rows) <= self._max_rows):
            waiting = self._queue.popleft()
            if waiting.done.done():
                continue  # a writer that was cancelled before its turn writes nothing
            mine = {row.originator_id for row in waiting.rows}
            if mine & streams:
                later.append(waiting)
                continue
            streams |= mine
            taken.append(waiting)
            rows += len(waiting.rows)
        self._queue.extendleft(reversed(later))
        return taken

    async def _write_together(self, taken: list[_Waiting]) -> None:
        try:
            positions = await self._write([row for w in taken for row in w.rows])
        except ConcurrencyConflict as conflict:
            if len(taken) == 1:
                taken[0].settle(error=conflict)
                return
            # Someone wrote from a stale state. PostgreSQL names the taken key: that writer alone hears of
            # it and the rest go again together; without a name, halve until the conflicting ones are alone.
            named = [w for w in taken if _names(conflict, w)]
            if len(named) == 1:
                named[0].settle(error=conflict)
                await self._write_together([w for w in taken if w is not named[0]])
                return
            half = len(taken) // 2
            await self._write_together(taken[:half])
            await self._write_together(taken[half:])
            return
        except BaseException as error:
            for waiting in taken:
                waiting.settle(error=error)
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        start = 0
        for waiting in taken:
            waiting.settle(positions[start : start + len(waiting.rows)])
            start += len(waiting.rows)


def _names(conflict: ConcurrencyConflict, waiting: _Waiting) -> bool:
    """Whether the conflict's message names a stream this writer writes."""
    text = str(conflict)
    return any(str(row.originator_id) in text for row in waiting.rows)
