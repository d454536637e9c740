"""Work done after its answer: recordings that follow a member's first pass (gate.py), and the passes on
their way to the log, so that a member writing again meanwhile is not recorded twice."""

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any


class Behind:
    """Tasks that finish after the update they came from was answered; `settled()` waits for them all."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def run(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Until every task is done (one may start others: those are waited for too)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    def __iter__(self) -> Iterator[asyncio.Task]:
        return iter(list(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)


class FirstPasses:
    """(chat, member) pairs whose first pass is being recorded behind its answer."""

    def __init__(self) -> None:
        self._pending: set[tuple[int, int]] = set()

    def claim(self, chat_id: int, member_id: int) -> bool:
        """True for the first claim of a pair until it is released; False while one is already on its way."""
        key = (chat_id, member_id)
        if key in self._pending:
            return False
        self._pending.add(key)
        return True

    def release(self, chat_id: int, member_id: int) -> None:
        self._pending.discard((chat_id, member_id))

    def __contains__(self, key: tuple[int, int]) -> bool:
        return key in self._pending
