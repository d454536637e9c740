"""Loads aggregates from the log and records what they decided."""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot

from application.ports.event_store import EventStore, Tracking

SNAPSHOT_EVERY = 50  # events; a long-lived member's stream then loads in one snapshot and a few events


class Repository:
    def __init__(self, store: EventStore, snapshot_every: int = SNAPSHOT_EVERY) -> None:
        self._store = store
        self._every = snapshot_every

    async def get(self, stream_id: UUID) -> Any | None:
        snapshot, events = await self._store.load_stream(stream_id)
        aggregate = snapshot.mutate(None) if snapshot is not None else None
        for event in events:
            aggregate = event.mutate(aggregate)
        return aggregate

    async def events(self, stream_id: UUID) -> list[Any]:
        """Every event of one stream, in order: a member's own story, as the log tells it."""
        return await self._store.read_stream(stream_id)

    async def save(self, *aggregates: Any, tracking: Tracking | None = None) -> list[int]:
        pending = [(a, a.collect_events()) for a in aggregates]
        events = [e for _, batch in pending for e in batch]
        if not events and tracking is None:
            return []
        positions = await self._store.append(events, tracking)
        for aggregate, batch in pending:
            # A snapshot is only ever taken of recorded state, and only when a multiple of the interval is crossed.
            if batch and aggregate.version // self._every > (aggregate.version - len(batch)) // self._every:
                await self._store.save_snapshot(Snapshot.take(aggregate))
        return positions
