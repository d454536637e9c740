"""The things the simulated world is made of."""

from dataclasses import dataclass, field
from typing import Any

from domain import subscription as sub

MEMBER_STATUSES = (sub.MEMBER, sub.ADMIN, sub.CREATOR, sub.RESTRICTED)


@dataclass(frozen=True)
class Participant:
    status: str  # creator | admin | member | restricted | left | kicked
    restrictions: frozenset[str] = frozenset()

    @property
    def inside(self) -> bool:
        return self.status in MEMBER_STATUSES


@dataclass(frozen=True)
class Sender:
    """Who a message appears to be from, as Telegram shows it."""

    kind: str  # user | anonymous_admin | linked_channel | channel
    peer_id: int


@dataclass
class Message:
    id: int
    chat_id: int
    sender: Sender
    kind: str = "text"
    text: str = ""
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    from_bot: bool = False
    deleted: bool = False
    reply_to: int | None = None
    forwarded_from_channel: int | None = None
    sent_at: float = 0.0


@dataclass
class Person:
    id: int
    name: str


@dataclass
class Chat:
    id: int
    kind: str  # group | channel
    title: str
    username: str | None = None
    linked_to: int | None = None  # a channel's discussion group
    bot_admin: bool = True
    participants: dict[int, Participant] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    join_requests: dict[int, str] = field(default_factory=dict)  # user -> pending | approved | declined
    next_message_id: int = 1
    invite_links_exported: int = 0

    def status_of(self, user_id: int) -> Participant | None:
        return self.participants.get(user_id)

    def admins(self) -> set[int]:
        return {u for u, p in self.participants.items() if p.status in (sub.ADMIN, sub.CREATOR)}
