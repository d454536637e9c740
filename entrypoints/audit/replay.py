"""Time travel: every aggregate as it stood at an instant, rebuilt from the events alone."""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from application.ports.read_models import GroupView, VerdictView
from application.views import group_view, verdict_view
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup
from entrypoints.audit.log import decode, iso, plain, raw_rows
from infrastructure.event_codec import EventCodec


@dataclass
class PastState:
    at: datetime
    applied: int = 0
    groups: list[GroupView] = field(default_factory=list)
    verdicts: list[VerdictView] = field(default_factory=list)
    undecodable: list[int] = field(default_factory=list)  # positions skipped, with the rest of their stream

    def restricted(self) -> list[VerdictView]:
        return [v for v in self.verdicts if v.status == "restricted"]

    def to_dict(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for verdict in self.verdicts:
            statuses[verdict.status] = statuses.get(verdict.status, 0) + 1
        return {
            "at": iso(self.at),
            "events_applied": self.applied,
            "groups": [asdict(g) for g in self.groups],
            "restricted": [plain(asdict(v)) for v in self.restricted()],
            "verdicts_by_status": statuses,
            "undecodable_positions": self.undecodable,
        }


async def replay_at(store: Any, at: datetime) -> PastState:
    """Apply, stream by stream in log order, every event recorded at or before `at`.

    A stream stops at its first event after `at`: its later events build on that one, and one clock stamps
    a stream's events in order, so nothing after it can belong to the past either. An undecodable event
    stops its stream the same way (what follows it cannot be applied without it) and is listed.
    """
    codec = EventCodec()
    past = PastState(at)
    aggregates: dict[UUID, Any] = {}
    stopped: set[UUID] = set()
    async for position, row, _ in raw_rows(store):
        stream = row.originator_id
        if stream in stopped:
            continue
        event = decode(codec, row)
        if event is None:
            past.undecodable.append(position)
            stopped.add(stream)
            continue
        if event.timestamp > at:
            stopped.add(stream)
            continue
        aggregates[stream] = event.mutate(aggregates.get(stream))
        past.applied += 1
    found = aggregates.values()
    past.groups = sorted((group_view(a) for a in found if isinstance(a, ProtectedGroup)), key=lambda g: g.chat_id)
    past.verdicts = sorted(
        (verdict_view(a) for a in found if isinstance(a, MembershipVerdict)), key=lambda v: (v.chat_id, v.member_id)
    )
    return past
