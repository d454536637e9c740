"""A group's history in plain words, and how one member came to stand where they stand.

Both read the log row by row and keep going over damage: an event that cannot be decoded or applied is
shown as such, and its stream's state is the one before it (rebuild.py). Given a checker, they verify the
log in the same pass, so the caller can say whether the history shown can be trusted (damage.py).
"""

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.ports.read_models import GroupView, VerdictView
from application.views import group_view, verdict_view
from domain.ids import group_stream_id, verdict_stream_id
from entrypoints.audit.damage import Damage
from entrypoints.audit.log import Names, decode, iso, kind_of, plain, raw_rows
from entrypoints.audit.rebuild import Streams
from entrypoints.audit.verify import Checker
from entrypoints.narration import describe, restrictions_in_words
from infrastructure.event_codec import EventCodec

_OPENED = "MembershipVerdict.Opened"
# The events that set a member's status; the latest of them is where the current state comes from.
_STATUS_EVENTS = {"Opened", "SubscriptionVerified", "MemberRestricted", "MemberReleased", "MemberRemoved"}


@dataclass(frozen=True)
class Entry:
    position: int
    time: datetime | None
    subject: str  # "group", or the member the event is about ("user 42")
    kind: str
    text: str
    about: str = ""  # the subject named as the log knew them then ("Alice (id 42)")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "time": iso(self.time)}


async def group_events(
    store: Any, chat_id: int, user: int | None = None, names: Names | None = None, checker: Checker | None = None
) -> AsyncIterator[tuple[int, str, Any | None, StoredEvent]]:
    """(position, subject, event or None if undecodable, row) for the group's stream and its members' verdicts
    (or one member's), in log order; `names` learns channel titles on the way, `checker` sees every row."""
    codec, names = EventCodec(), names if names is not None else Names()
    group_id = group_stream_id(chat_id)
    members: dict[UUID, int] = {} if user is None else {verdict_stream_id(chat_id, user): user}
    async for logged in raw_rows(store):
        if checker is not None:
            checker.feed(logged)
        position, row = logged.position, logged.event
        stream = row.originator_id
        if stream != group_id and stream not in members:
            # Verdict streams are found by their first event, the only one that names chat and member.
            if user is not None or not row.topic.endswith(_OPENED):
                continue
            opened = decode(codec, row)
            if getattr(opened, "chat_id", None) != chat_id or not isinstance(getattr(opened, "member_id", None), int):
                continue
            members[stream] = opened.member_id
        event = decode(codec, row)
        if event is not None:
            names.learn(event, members.get(stream))
        yield position, "group" if stream == group_id else f"user {members[stream]}", event, row


def entry(position: int, subject: str, event: Any | None, row: StoredEvent, names: Names) -> Entry:
    about = subject if subject == "group" else names(int(subject.removeprefix("user ")))
    if event is None:
        return Entry(position, None, subject, kind_of(row.topic), "this event could not be decoded", about)
    try:
        text = describe(event, names)
    except Exception:  # decoded, but without the fields its kind has: damaged
        text = "this event's fields could not be read"
    when = getattr(event, "timestamp", None)
    return Entry(position, when if isinstance(when, datetime) else None, subject, type(event).__name__, text, about)


async def timeline(
    store: Any,
    chat_id: int,
    user: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    checker: Checker | None = None,
) -> list[Entry]:
    """Every event of the group (and of its members' verdicts, or one member's) in log order, in words."""
    names = Names()
    entries = []
    async for position, subject, event, row in group_events(store, chat_id, user, names, checker):
        found = entry(position, subject, event, row, names)
        if found.time is None or not ((since and found.time < since) or (until and found.time > until)):
            entries.append(found)
    return entries


@dataclass
class Explanation:
    group: GroupView | None
    verdict: VerdictView | None
    mute_in_force: bool = False
    state: str = ""
    chain: list[Entry] = field(default_factory=list)
    decisive: int | None = None  # position of the event that set the current status
    streams: Streams = field(default_factory=Streams)
    verified: bool | None = None  # None: not checked
    history: str = ""  # whether the history shown can be trusted, in words
    damage: Damage | None = None

    def judge(self, damage: Damage, chat_id: int, user: int) -> None:
        """Say whether this history is verified, from a check of the whole log made in the same pass."""
        damage.stops = list(self.streams.stops.values())
        self.damage = damage
        self.verified, self.history = damage.history({str(group_stream_id(chat_id)),
                                                      str(verdict_stream_id(chat_id, user))})

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "group": None if self.group is None else asdict(self.group),
            "verdict": None if self.verdict is None else plain(asdict(self.verdict)),
            "mute_in_force": self.mute_in_force,
            "decisive_position": self.decisive,
            "chain": [e.to_dict() for e in self.chain],
            "verified": self.verified,
            "history": self.history,
            "log_verifies": None if self.damage is None else not self.damage.fails_verify,
            "warning": None if self.damage is None else self.damage.warning(),
            "damage": None if self.damage is None else self.damage.to_dict(),
        }


async def explain(store: Any, chat_id: int, user: int, checker: Checker | None = None) -> Explanation:
    """The member's current state, and the group's and the member's events that led to it, rebuilt from the
    log itself (snapshots are a cache, not evidence)."""
    names, streams, chain, applied = Names(), Streams(), [], set()
    async for position, subject, event, row in group_events(store, chat_id, user, names, checker):
        chain.append(entry(position, subject, event, row, names))
        if streams.apply(position, row.originator_id, event):
            applied.add(position)
    group_id, verdict_id = group_stream_id(chat_id), verdict_stream_id(chat_id, user)
    group, verdict = streams.view(group_id, group_view), streams.view(verdict_id, verdict_view)
    found = Explanation(group, verdict, chain=chain, streams=streams)
    found.mute_in_force = verdict is not None and bool(getattr(streams.aggregates[verdict_id], "mute_in_force", False))
    # The current state comes from the last status event applied; one after a damaged event never was.
    found.decisive = next((e.position for e in reversed(chain) if e.kind in _STATUS_EVENTS and e.position in applied),
                          None)
    found.state = _state_in_words(found, names, user, verdict_id in streams.stops)
    for stop in streams.stops.values():
        whose = "the group's" if stop.stream == group_id else "the member's"
        found.state += (f" {whose.capitalize()} history stops at position {stop.position} ({stop.reason}): "
                        f"{whose} state above is the one before it.")
    return found


def _state_in_words(found: Explanation, names: Names, user: int, verdict_stopped: bool) -> str:
    exempt = found.group is not None and user in found.group.exempt
    return _verdict_in_words(found, names, user, verdict_stopped) + (
        " An admin exempted them (/exempt): the gate leaves them alone here." if exempt else ""
    )


def _verdict_in_words(found: Explanation, names: Names, user: int, verdict_stopped: bool) -> str:
    who = names(user)
    if found.verdict is None:
        if verdict_stopped:
            return f"The bot's verdict on {who} could not be rebuilt: its history is damaged from its start."
        guarded = "is protected" if found.group and found.group.protected else "is not protected"
        return f"The bot has never judged {who} in this group (the group {guarded})."
    view = found.verdict
    text = f"{who} is {view.status}"
    if view.reason:
        text += f" ({view.reason.replace('_', ' ')}"
        text += f": missing {', '.join(names(c) for c in view.missing)})" if view.missing else ")"
    if view.since:
        text += f" since {iso(view.since)}"
    aggregate = found.streams.aggregates.get(verdict_stream_id(view.chat_id, user))
    admins = list(getattr(aggregate, "admin_rights", []) or [])
    admins_text = restrictions_in_words(admins, getattr(aggregate, "admin_until", None))
    if found.mute_in_force:
        text += "; muted by the bot" + (f" on top of an admin's restriction ({admins_text})" if admins else "")
    else:
        text += "; no mute by the bot is in force"
        text += f"; an admin's restriction stands ({admins_text})" if admins else ""
    if getattr(aggregate, "recheck", False):
        text += "; an admin freed them with /release, so their next message is checked with Telegram again"
    standing = getattr(aggregate, "standing", None)
    if standing in ("left", "kicked", "none"):
        text += f"; not in the group now ({standing}), so the bot does nothing to them until they return"
    if view.join_request:
        text += f"; join request {view.join_request}"
    return text + "."
