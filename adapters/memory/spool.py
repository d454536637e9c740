"""The spool in a list: for runs whose event store does not outlive the process either."""

from collections import deque
from typing import Any


class InMemorySpool:
    def __init__(self) -> None:
        self._commands: deque[Any] = deque()

    async def append(self, command: Any) -> None:
        self._commands.append(command)

    async def oldest(self) -> Any | None:
        return self._commands[0] if self._commands else None

    async def remove_oldest(self) -> None:
        if self._commands:
            self._commands.popleft()

    async def count(self) -> int:
        return len(self._commands)

    async def close(self) -> None:
        pass
