"""Time travel: every aggregate as it stood at an instant, rebuilt from the events alone."""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from application.ports.read_models import GroupView, VerdictView
from application.views import group_view, verdict_view
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup
from entrypoints.audit.damage import Damage
from entrypoints.audit.log import decode, iso, plain, raw_rows
from entrypoints.audit.rebuild import Stop, Streams
from entrypoints.audit.verify import Checker
from infrastructure.event_codec import EventCodec


@dataclass
class PastState:
    at: datetime
    applied: int = 0
    groups: list[GroupView] = field(default_factory=list)
    verdicts: list[VerdictView] = field(default_factory=list)
    stops: list[Stop] = field(default_factory=list)  # damaged events, skipped with the rest of their stream
    damage: Damage | None = None

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
            "stopped": [s.to_dict() for s in self.stops],
            "damage": None if self.damage is None else self.damage.to_dict(),
        }


async def replay_at(store: Any, at: datetime, checker: Checker | None = None) -> PastState:
    """Apply, stream by stream in log order, every event recorded at or before `at`.

    A stream stops at its first event after `at`: its later events build on that one, and one clock stamps
    a stream's events in order, so nothing after it can belong to the past either. A damaged event (one that
    cannot be decoded or applied) stops its stream the same way and is listed. `checker` sees every row.
    """
    codec = EventCodec()
    past = PastState(at)
    streams = Streams()
    later: set[UUID] = set()
    async for logged in raw_rows(store):
        if checker is not None:
            checker.feed(logged)
        row = logged.event
        stream = row.originator_id
        if stream in later:
            continue
        event = decode(codec, row)
        when = getattr(event, "timestamp", None)
        if isinstance(when, datetime) and when > at:
            later.add(stream)
            continue
        if streams.apply(logged.position, stream, event):
            past.applied += 1
    past.groups = sorted(streams.views(ProtectedGroup, group_view), key=lambda g: g.chat_id)
    past.verdicts = sorted(streams.views(MembershipVerdict, verdict_view), key=lambda v: (v.chat_id, v.member_id))
    past.stops = list(streams.stops.values())
    return past
