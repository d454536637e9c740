"""Keeps the read models equal to the log: each batch of events and its position are stored together.

The views are made from aggregates. The projector keeps the aggregates it made last and moves them on
with the events it has just read, so following the log costs no extra read per event; a stream it does
not hold (a start, or one pushed out of the bounded memory) is loaded once from the store.
"""

from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.ports.event_store import EventStore
from application.ports.read_models import GroupView, ReadModels, VerdictView
from application.repository import Repository
from application.views import group_view, verdict_view
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup

BATCH = 500
HELD = 50_000  # aggregates kept between batches: the streams most recently written


class Projector:
    def __init__(self, store: EventStore, read_models: ReadModels, batch: int = BATCH, name: str = "local") -> None:
        self.name = name
        self._store = store
        self._repository = Repository(store)
        self._read_models = read_models
        self._batch = batch
        self._held: OrderedDict[UUID, Any] = OrderedDict()

    async def catch_up(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Apply every event after the read models' position; return how many were applied."""
        applied = 0
        position = await self._read_models.position()
        while records := await self._store.read_all(after=position, limit=self._batch):
            touched: dict[UUID, list[Any]] = {}
            for record in records:
                touched.setdefault(record.event.originator_id, []).append(record.event)
            groups: list[GroupView] = []
            verdicts: list[VerdictView] = []
            for stream_id, events in touched.items():
                aggregate = await self._advance(stream_id, events)
                if isinstance(aggregate, ProtectedGroup):
                    groups.append(group_view(aggregate))
                elif isinstance(aggregate, MembershipVerdict):
                    verdicts.append(verdict_view(aggregate))
            position = records[-1].position
            await self._read_models.apply(position, groups, verdicts)
            applied += len(records)
            if on_batch is not None:
                on_batch(len(records))
            if len(records) < self._batch:
                break  # the end of the log (rows appear in position order): asking again would find nothing
        return applied

    async def _advance(self, stream_id: UUID, events: list[Any]) -> Any:
        """The stream's aggregate with `events` applied: moved on in memory when they follow on from the
        held one, else loaded (the load already holds them)."""
        aggregate = self._held.pop(stream_id, None)
        version = aggregate.version if aggregate is not None else 0
        if events[0].originator_version == version + 1:
            for event in events:
                aggregate = event.mutate(aggregate)
        elif events[-1].originator_version > version:
            aggregate = await self._repository.get(stream_id)
        if aggregate is not None:
            self._held[stream_id] = aggregate
            if len(self._held) > HELD:
                self._held.popitem(last=False)
        return aggregate
