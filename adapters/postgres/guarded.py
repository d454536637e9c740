"""The PostgreSQL store as the application needs it in an outage: it fails fast and says so.

Every call gets a deadline, and every way asyncpg reports a lost or refused server becomes
StoreUnavailable, which the application answers by waiting (nothing is decided unrecorded).
"""

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from application.ports.availability import Unavailable
from application.ports.event_store import Recorded, Tracking

T = TypeVar("T")

_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError, OSError)


class StoreUnavailable(Unavailable):
    """PostgreSQL did not answer in time, refused the connection, or dropped it."""


class GuardedEventStore:
    def __init__(self, inner: Any, timeout: float = 15.0) -> None:
        self.inner = inner
        self._timeout = timeout

    async def _guard(self, call: Awaitable[T], what: str) -> T:
        try:
            return await asyncio.wait_for(call, self._timeout)
        except TimeoutError as error:
            raise StoreUnavailable(f"{what}: no answer within {self._timeout}s") from error
        except _LOST as error:
            raise StoreUnavailable(f"{what}: {type(error).__name__}") from error

    async def append(self, events: Sequence[Any], tracking: Tracking | None = None) -> list[int]:
        return await self._guard(self.inner.append(events, tracking), "append")

    async def read_stream(self, stream_id: UUID, after_version: int = 0) -> list[Any]:
        return await self._guard(self.inner.read_stream(stream_id, after_version), "read_stream")

    async def read_all(self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()) -> list[Recorded]:
        return await self._guard(self.inner.read_all(after, limit, topics), "read_all")

    async def last_position(self) -> int:
        return await self._guard(self.inner.last_position(), "last_position")

    async def tracking_position(self, reader: str) -> int:
        return await self._guard(self.inner.tracking_position(reader), "tracking_position")

    async def save_snapshot(self, snapshot: Any) -> None:
        await self._guard(self.inner.save_snapshot(snapshot), "save_snapshot")

    async def latest_snapshot(self, stream_id: UUID) -> Any | None:
        return await self._guard(self.inner.latest_snapshot(stream_id), "latest_snapshot")

    async def load_stream(self, stream_id: UUID) -> tuple[Any | None, list[Any]]:
        return await self._guard(self.inner.load_stream(stream_id), "load_stream")

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:
        # Auditing and eventsourcing-compatibility calls go to the store itself, unguarded.
        return getattr(self.inner, name)
