"""One call per key on its way at a time: whoever asks meanwhile shares its answer instead of asking again."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class OnItsWay:
    def __init__(self) -> None:
        self._calls: dict[Hashable, asyncio.Future[Any]] = {}

    def start(self, key: Hashable, call: Callable[[], Awaitable[Any]]) -> asyncio.Future[Any]:
        """The call on its way for `key`, started now with `call()` if there is none."""
        future = self._calls.get(key)
        if future is None:
            future = asyncio.ensure_future(call())
            self._calls[key] = future
            future.add_done_callback(lambda _: self._calls.pop(key, None))
        return future

    async def answer(self, key: Hashable, call: Callable[[], Awaitable[Any]]) -> Any:
        """The answer of the call on its way for `key`; a caller that stops waiting does not cancel it."""
        return await asyncio.shield(self.start(key, call))
