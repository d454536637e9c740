"""Where updates wait while the event store cannot take them, in arrival order.

An update counts as handled once it is here: a durable spool must keep it through a crash, so that the next
process handles it when the store answers again.
"""

from typing import Any, Protocol


class Spool(Protocol):
    async def append(self, command: Any) -> None:
        """Keep the command after every command kept before it; once this returns, it survives a crash."""

    async def oldest(self) -> Any | None:
        """The command kept longest, or None when the spool is empty."""

    async def remove_oldest(self) -> None:
        """Forget the command `oldest` returns (it was handled)."""

    async def count(self) -> int:
        """How many commands wait; cheap enough to ask on every update."""

    async def close(self) -> None: ...
