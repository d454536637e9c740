"""Work started in log order, finished in any order; the position moves over what is finished.

A follower that waited for a whole batch before reading on would make every member wait for the slowest
one (a warning held back by Telegram's per-chat limit, say). Here work on the next records starts while
earlier work is still under way, and the tracking position only ever covers records whose work is done,
so a crash repeats nothing finished and skips nothing unfinished.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from typing import Any

_ALONE = object()  # work that stands only for its own record


class LogWindow:
    def __init__(self, position: int, limit: int) -> None:
        self.position = position  # every record up to here is done
        self._limit = limit
        self._pending: deque[tuple[int, asyncio.Future | None]] = deque()
        self._last: dict[Hashable, asyncio.Task] = {}  # per key, its latest work: the next one runs after it
        # Work that has not begun yet and may stand for later records of its key: None for work started with
        # `join`, the gathered items for work started with `gather`.
        self._unbegun: dict[asyncio.Task, list | None] = {}
        # Set when any work finishes: a window holds thousands of records, and waiting on each task anew
        # every time cost the reactor more than the work it waited for.
        self._finished = asyncio.Event()

    def start(self, key: Hashable | None, work: Callable[[], Awaitable[None]], join: bool = False) -> asyncio.Task:
        """Run `work` after any earlier work for the same key (one member is never carried out twice at once);
        work with no key waits for nothing.

        `join`: work that reads the latest state when it begins (a member's verdict, carried out as the log
        holds it then) may stand for the later work of its key while it still waits for its turn, so a
        member's flood of decisions is carried out once or twice, not once each. The later record is done
        when that work is."""
        if key is None:
            return asyncio.get_running_loop().create_task(work())
        before = self._last.get(key)
        if join and before in self._unbegun and self._unbegun[before] is None:
            return before
        return self._queue(key, work, None if join else _ALONE)

    def gather(self, key: Hashable, item: Any, work: Callable[[list], Awaitable[Any]],
               fits: Callable[[list, Any], bool]) -> asyncio.Task:
        """Like `start`, for work that can take several records of its key at once: while the key's latest
        work started here has not begun, `item` joins its items if `fits(items, item)`, and that work, run
        on all of them when its turn comes, is each record's work. A member's run of messages queued behind
        one slow decision is then decided in one go (one load, one append) instead of one after another."""
        before = self._last.get(key)
        items = self._unbegun.get(before) if before is not None else None
        if items is not None and fits(items, item):
            items.append(item)
            return before
        gathered = [item]
        return self._queue(key, partial(work, gathered), gathered)

    def _queue(self, key: Hashable, work: Callable[[], Awaitable[Any]], stands_for: Any) -> asyncio.Task:
        before = self._last.get(key)

        async def in_turn() -> None:
            if before is not None:
                await asyncio.wait([before])  # its failure is reported by its own task
            self._unbegun.pop(task, None)  # begun: what it takes is fixed from here on
            await work()

        task = asyncio.get_running_loop().create_task(in_turn())
        self._last[key] = task
        if stands_for is not _ALONE:
            self._unbegun[task] = stands_for
        task.add_done_callback(self._forget(key))
        return task

    def _forget(self, key: Hashable) -> Callable[[asyncio.Task], None]:
        def forget(task: asyncio.Task) -> None:
            self._unbegun.pop(task, None)  # cancelled before its turn
            if self._last.get(key) is task:
                del self._last[key]

        return forget

    def passed(self, position: int, task: asyncio.Future | None = None) -> None:
        """The record at `position` was read; `task` is its work, if it has any."""
        self._pending.append((position, task))
        if task is not None:
            task.add_done_callback(self._on_finished)

    def _on_finished(self, _task: asyncio.Task) -> None:
        self._finished.set()

    def advance(self) -> bool:
        """Move the position over the finished records; True if it moved. It stops at a failed record."""
        moved = False
        while self._pending:
            position, task = self._pending[0]
            if task is not None and (not task.done() or task.cancelled() or task.exception() is not None):
                break
            self._pending.popleft()
            self.position, moved = position, True
        return moved

    @property
    def failure(self) -> BaseException | None:
        """Why the first unfinished record failed, if it did."""
        task = self._pending[0][1] if self._pending else None
        if task is None or not task.done():
            return None
        return asyncio.CancelledError() if task.cancelled() else task.exception()

    @property
    def full(self) -> bool:
        return len(self._pending) >= self._limit

    @property
    def idle(self) -> bool:
        return not self._pending

    def _running(self) -> set[asyncio.Future]:
        return {t for _, t in self._pending if t is not None and not t.done()}

    def cancel(self) -> None:
        for task in self._running():
            task.cancel()

    async def wait(self, news: asyncio.Event | None = None) -> None:
        """Until some work finishes, or `news` is set (something new was recorded: read on meanwhile).

        The first record's work having finished already counts: the caller has not advanced over it yet.
        """
        head = self._pending[0][1] if self._pending else None
        if head is None or head.done():
            return
        if not self._finished.is_set():  # set: work finished since the last wait, and the caller may use it
            waits = [asyncio.ensure_future(self._finished.wait())]
            if news is not None:
                waits.append(asyncio.ensure_future(news.wait()))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()
        self._finished.clear()

    async def settle(self) -> None:
        """Let everything started finish (after a failure, so its neighbours are not cut off midway)."""
        running = self._running()
        if running:
            await asyncio.wait(running)
