"""The append-only log every decision is recorded in."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID


class ConcurrencyConflict(Exception):
    """Another writer appended to the same stream first: reload and decide again."""


@dataclass(frozen=True)
class Recorded:
    """An event as it stands in the log, with its position in the whole log."""

    position: int
    event: Any


@dataclass(frozen=True)
class Tracking:
    """How far a reader of the log has come, saved together with what it wrote."""

    reader: str
    position: int


class EventStore(Protocol):
    async def append(self, events: Sequence[Any], tracking: Tracking | None = None) -> list[int]:
        """Store the events of one or more aggregates atomically; return their positions.

        Raises ConcurrencyConflict when any (stream, version) is taken, and then stores nothing.
        """

    async def read_stream(self, stream_id: UUID, after_version: int = 0) -> list[Any]: ...

    async def read_all(self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()) -> list[Recorded]:
        """Events after position `after`, in position order; with `topics`, only events of those topics
        (eventsourcing's "module:QualName"), so a reader of rare events need not decode the whole log."""

    async def last_position(self) -> int: ...

    async def tracking_position(self, reader: str) -> int: ...

    async def save_snapshot(self, snapshot: Any) -> None:
        """Keep an aggregate's state at a version, so loading it need not replay the whole stream."""

    async def latest_snapshot(self, stream_id: UUID) -> Any | None: ...

    async def load_stream(self, stream_id: UUID) -> tuple[Any | None, list[Any]]:
        """The latest snapshot of a stream (or None) and the events recorded after it, read together.

        Loading an aggregate is on the path of every decision: one read instead of latest_snapshot then
        read_stream halves its round trips to a remote store, and sees the snapshot and events as of one moment.
        """

    async def close(self) -> None: ...
