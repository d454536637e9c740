"""Keeps the read models equal to the log: each batch of events and its position are stored together."""

from collections.abc import Callable

from application.ports.event_store import EventStore
from application.ports.read_models import GroupView, ReadModels, VerdictView
from application.repository import Repository
from application.views import group_view, verdict_view
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup

BATCH = 500


class Projector:
    def __init__(self, store: EventStore, read_models: ReadModels, batch: int = BATCH, name: str = "local") -> None:
        self.name = name
        self._store = store
        self._repository = Repository(store)
        self._read_models = read_models
        self._batch = batch

    async def catch_up(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Apply every event after the read models' position; return how many were applied."""
        applied = 0
        position = await self._read_models.position()
        while records := await self._store.read_all(after=position, limit=self._batch):
            touched = list(dict.fromkeys(r.event.originator_id for r in records))
            groups: list[GroupView] = []
            verdicts: list[VerdictView] = []
            for stream_id in touched:
                aggregate = await self._repository.get(stream_id)
                if isinstance(aggregate, ProtectedGroup):
                    groups.append(group_view(aggregate))
                elif isinstance(aggregate, MembershipVerdict):
                    verdicts.append(verdict_view(aggregate))
            position = records[-1].position
            await self._read_models.apply(position, groups, verdicts)
            applied += len(records)
            if on_batch is not None:
                on_batch(len(records))
        return applied
