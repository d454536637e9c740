"""A group's history in plain words, and how one member came to stand where they stand."""

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.ports.read_models import GroupView, VerdictView
from application.repository import Repository
from application.views import group_view, verdict_view
from domain.ids import group_stream_id, verdict_stream_id
from entrypoints.audit.log import Names, decode, iso, kind_of, plain, raw_rows
from entrypoints.narration import describe
from infrastructure.event_codec import EventCodec

_OPENED = "MembershipVerdict.Opened"
# The events that set a member's status; the latest of them is where the current state comes from.
_STATUS_EVENTS = {"Opened", "SubscriptionVerified", "MemberRestricted", "MemberReleased", "MemberRemoved"}


@dataclass(frozen=True)
class Entry:
    position: int
    time: datetime | None
    subject: str  # "group", or the member the event is about
    kind: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "time": iso(self.time)}


async def group_events(
    store: Any, chat_id: int, user: int | None = None, names: Names | None = None
) -> AsyncIterator[tuple[int, str, Any | None, StoredEvent]]:
    """(position, subject, event or None if undecodable, row) for the group's stream and its members' verdicts
    (or one member's), in log order; `names` learns channel titles on the way."""
    codec, names = EventCodec(), names if names is not None else Names()
    group_id = group_stream_id(chat_id)
    members: dict[UUID, int] = {} if user is None else {verdict_stream_id(chat_id, user): user}
    async for position, row, _ in raw_rows(store):
        stream = row.originator_id
        if stream != group_id and stream not in members:
            # Verdict streams are found by their first event, the only one that names chat and member.
            if user is not None or not row.topic.endswith(_OPENED):
                continue
            opened = decode(codec, row)
            if opened is None or opened.chat_id != chat_id:
                continue
            members[stream] = opened.member_id
        event = decode(codec, row)
        if event is not None:
            names.learn(event)
        yield position, "group" if stream == group_id else names(members[stream]), event, row


async def timeline(
    store: Any, chat_id: int, user: int | None = None, since: datetime | None = None, until: datetime | None = None
) -> list[Entry]:
    """Every event of the group (and of its members' verdicts, or one member's) in log order, in words."""
    names = Names()
    entries = []
    async for position, subject, event, row in group_events(store, chat_id, user, names):
        if event is None:
            entries.append(Entry(position, None, subject, kind_of(row.topic), "this event could not be decoded"))
        elif not ((since and event.timestamp < since) or (until and event.timestamp > until)):
            entries.append(Entry(position, event.timestamp, subject, type(event).__name__, describe(event, names)))
    return entries


@dataclass
class Explanation:
    group: GroupView | None
    verdict: VerdictView | None
    mute_in_force: bool = False
    state: str = ""
    chain: list[Entry] = field(default_factory=list)
    decisive: int | None = None  # position of the event that set the current status

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "group": None if self.group is None else asdict(self.group),
            "verdict": None if self.verdict is None else plain(asdict(self.verdict)),
            "mute_in_force": self.mute_in_force,
            "decisive_position": self.decisive,
            "chain": [e.to_dict() for e in self.chain],
        }


async def explain(store: Any, chat_id: int, user: int) -> Explanation:
    """The member's current state, and the group's and the member's events that led to it."""
    repository = Repository(store)
    group = await repository.get(group_stream_id(chat_id))
    verdict = await repository.get(verdict_stream_id(chat_id, user))
    chain = await timeline(store, chat_id, user)
    names = Names()
    for event in await store.read_stream(group_stream_id(chat_id)):
        names.learn(event)
    found = Explanation(group and group_view(group), verdict and verdict_view(verdict), chain=chain)
    found.mute_in_force = bool(getattr(verdict, "mute_in_force", False))
    found.decisive = next((e.position for e in reversed(chain) if e.kind in _STATUS_EVENTS), None)
    found.state = _state_in_words(found, names, user)
    return found


def _state_in_words(found: Explanation, names: Names, user: int) -> str:
    who = names(user)
    if found.verdict is None:
        guarded = "is protected" if found.group and found.group.protected else "is not protected"
        return f"The bot has never judged {who} in this group (the group {guarded})."
    view = found.verdict
    text = f"{who} is {view.status}"
    if view.reason:
        text += f" ({view.reason.replace('_', ' ')}"
        text += f": missing {', '.join(names(c) for c in view.missing)})" if view.missing else ")"
    if view.since:
        text += f" since {iso(view.since)}"
    text += "; a mute by the bot is in force" if found.mute_in_force else "; no mute by the bot is in force"
    if view.join_request:
        text += f"; join request {view.join_request}"
    return text + "."
