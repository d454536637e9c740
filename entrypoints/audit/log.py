"""Reading the log for auditors: raw rows page by page, times, and the names events mention."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import StoredEvent

from entrypoints.narration import channel_name
from infrastructure.event_codec import EventCodec
from infrastructure.log_chain import LoggedRow

PAGE = 1000


async def raw_rows(store: Any, after: int = 0, page: int = PAGE) -> AsyncIterator[LoggedRow]:
    """Every stored row after `after`, in position order, a page at a time so memory stays flat.

    Raw rows rather than decoded events: an undecodable row is something to report, not a reason to stop.
    """
    while rows := await store.read_log(after, page):
        for row in rows:
            yield row
        after = rows[-1].position


def decode(codec: EventCodec, row: StoredEvent) -> Any | None:
    """The domain event, or None when the row cannot be decoded (unknown topic, damaged state)."""
    try:
        return codec.decode(row)
    except Exception:
        return None


def parse_time(text: str) -> datetime:
    """An ISO 8601 instant; one without a zone is taken as UTC, the zone every event is recorded in."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat()


def plain(data: dict[str, Any]) -> dict[str, Any]:
    """A view as JSON-ready data: instants in ISO 8601."""
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in data.items()}


def kind_of(topic: str) -> str:
    """The event's short name from its topic ("domain.membership_verdict:MembershipVerdict.Opened" -> "Opened")."""
    return topic.rsplit(".", 1)[-1]


class Names:
    """Names for the ids events carry, as the log knows them at the point read so far: channels by the username
    and title their group's events last gave them ("@news (Daily News)"), people by the name their verdict last
    recorded ("Alice (id 42)"), anyone the log never named by id ("user 42")."""

    def __init__(self) -> None:
        self.channels: dict[int, str] = {}
        self.people: dict[int, str] = {}  # from the names verdicts recorded (MemberNamed)
        self.groups: dict[int, str] = {}  # from the titles groups were registered with

    def learn(self, event: Any, member: int | None = None) -> None:
        data = vars(event)
        kind = type(event).__name__
        if member is not None and isinstance(data.get("name"), str) and kind == "MemberNamed":
            self.people[member] = data["name"]
        if kind == "MemberExempted" and isinstance(data.get("name"), str) and isinstance(data.get("member_id"), int):
            self.people.setdefault(data["member_id"], data["name"])  # the name an admin's /exempt found
        if kind == "Registered" and isinstance(data.get("title"), str) and isinstance(data.get("chat_id"), int):
            self.groups[data["chat_id"]] = data["title"]
        for channel in data.get("channels") or []:
            if isinstance(channel, dict):
                self._channel(channel)
        if isinstance(data.get("channel"), dict):
            self._channel(data["channel"])

    def _channel(self, channel: dict[str, Any]) -> None:
        if isinstance(channel.get("title"), str) and isinstance(channel.get("id"), int):  # damaged: may lack either
            self.channels[channel["id"]] = channel_name(channel)

    def __call__(self, value: Any) -> str:
        if value in self.channels:
            return self.channels[value]
        if value in self.groups:
            return f"the group {self.groups[value]} (id {value})"
        if value in self.people:
            return f"{self.people[value]} (id {value})"
        return f"user {value}" if isinstance(value, int) else str(value)
