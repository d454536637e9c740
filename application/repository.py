"""Loads aggregates from the log and records what they decided."""

from typing import Any, TypeVar
from uuid import UUID

from application.ports.event_store import EventStore, Tracking

A = TypeVar("A")


class Repository:
    def __init__(self, store: EventStore) -> None:
        self._store = store

    async def get(self, stream_id: UUID) -> Any | None:
        aggregate = None
        for event in await self._store.read_stream(stream_id):
            aggregate = event.mutate(aggregate)
        return aggregate

    async def save(self, *aggregates: Any, tracking: Tracking | None = None) -> list[int]:
        events = [e for a in aggregates for e in a.collect_events()]
        if not events and tracking is None:
            return []
        return await self._store.append(events, tracking)
