"""Aggregates rebuilt from the log's events one by one, for auditors, on logs that may be damaged.

A stream stops at its first event that cannot be applied: one that could not be decoded, or one the
aggregate refuses (a version that does not follow, fields it cannot read). What follows builds on that
event, so it cannot be applied either; the stream keeps the state it had, and the stop is recorded.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import OriginatorVersionError

V = TypeVar("V")


@dataclass(frozen=True)
class Stop:
    position: int
    stream: UUID
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"position": self.position, "stream": str(self.stream), "reason": self.reason}


@dataclass
class Streams:
    aggregates: dict[UUID, Any] = field(default_factory=dict)
    stops: dict[UUID, Stop] = field(default_factory=dict)
    applied: dict[UUID, int] = field(default_factory=dict)  # stream -> position of its last event applied

    def apply(self, position: int, stream: UUID, event: Any | None) -> bool:
        """Apply the event (None: it could not be decoded) to its stream; False if the stream has stopped."""
        if stream in self.stops:
            return False
        if event is None:
            self.stops[stream] = Stop(position, stream, "this event could not be decoded")
            return False
        try:
            self.aggregates[stream] = event.mutate(self.aggregates.get(stream))
        except Exception as error:  # a damaged event, whatever the aggregate makes of it
            self.stops[stream] = Stop(position, stream, f"this event could not be applied: {_plain(error)}")
            return False
        self.applied[stream] = position
        return True

    def view(self, stream: UUID, make: Callable[[Any], V]) -> V | None:
        """The stream's view, or None when it has none: never rebuilt, or a state a damaged event left unreadable
        (an event that decodes but lacks fields can leave the aggregate without them)."""
        aggregate = self.aggregates.get(stream)
        if aggregate is None:
            return None
        try:
            return make(aggregate)
        except Exception as error:
            reason = f"the state it leaves could not be read: {_plain(error)}"
            self.stops.setdefault(stream, Stop(self.applied.get(stream, 0), stream, reason))
            return None

    def views(self, kind: type, make: Callable[[Any], V]) -> list[V]:
        found = (self.view(s, make) for s, a in list(self.aggregates.items()) if isinstance(a, kind))
        return [v for v in found if v is not None]


def _plain(error: Exception) -> str:
    if isinstance(error, OriginatorVersionError) and len(error.args) == 2:
        found, due = error.args
        return f"it is version {found} where version {due} was due"
    if isinstance(error, (TypeError, AttributeError, KeyError, ValueError)):
        return f"its fields do not fit its kind ({str(error).strip() or type(error).__name__})"
    return str(error).strip() or type(error).__name__
