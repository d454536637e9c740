"""The event store as the application needs it when its service falters: every call passes one guard, which
turns whatever the service's driver says about being out of reach into StoreUnavailable. The gate answers
that by spooling the update (nothing is decided unrecorded), never by dropping it."""

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from application.ports.availability import Unavailable
from application.ports.event_store import Recorded, Tracking

T = TypeVar("T")


class StoreUnavailable(Unavailable):
    """The event store did not answer in time, refused, or could not write just now."""


class GuardedStore(ABC):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    @abstractmethod
    async def _guard(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        """Run `call` (it may be run again), raising StoreUnavailable when the service is out of reach."""

    async def append(self, events: Sequence[Any], tracking: Tracking | None = None) -> list[int]:
        return await self._guard(lambda: self.inner.append(events, tracking), "append")

    async def read_stream(self, stream_id: UUID, after_version: int = 0) -> list[Any]:
        return await self._guard(lambda: self.inner.read_stream(stream_id, after_version), "read_stream")

    async def read_all(self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()) -> list[Recorded]:
        return await self._guard(lambda: self.inner.read_all(after, limit, topics), "read_all")

    async def last_position(self) -> int:
        return await self._guard(self.inner.last_position, "last_position")

    async def tracking_position(self, reader: str) -> int:
        return await self._guard(lambda: self.inner.tracking_position(reader), "tracking_position")

    async def save_snapshot(self, snapshot: Any) -> None:
        await self._guard(lambda: self.inner.save_snapshot(snapshot), "save_snapshot")

    async def latest_snapshot(self, stream_id: UUID) -> Any | None:
        return await self._guard(lambda: self.inner.latest_snapshot(stream_id), "latest_snapshot")

    async def load_stream(self, stream_id: UUID) -> tuple[Any | None, list[Any]]:
        return await self._guard(lambda: self.inner.load_stream(stream_id), "load_stream")

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:
        # Auditing and eventsourcing-compatibility calls go to the store itself, unguarded.
        return getattr(self.inner, name)
