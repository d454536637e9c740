"""The things the simulated world is made of."""

from dataclasses import dataclass, field
from typing import Any

from domain import subscription as sub

MEMBER_STATUSES = (sub.MEMBER, sub.ADMIN, sub.CREATOR, sub.RESTRICTED)
# The admin rights an admin holds unless told otherwise (Telegram's ChatAdminRights names).
ADMIN_RIGHTS = frozenset({"change_info", "delete_messages", "ban_users", "invite_users", "pin_messages"})
CHANNEL_ADMIN_RIGHTS = ADMIN_RIGHTS | {"post_messages"}  # a channel's admins may also post there


def usual_rights(kind: str) -> frozenset[str]:
    """The rights the bot holds as an admin of a chat of this kind, unless a scenario says otherwise."""
    return CHANNEL_ADMIN_RIGHTS if kind == "channel" else ADMIN_RIGHTS
ADMIN_STATUSES = (sub.ADMIN, sub.CREATOR)


@dataclass(frozen=True)
class Participant:
    status: str  # creator | admin | member | restricted | left | kicked
    restrictions: frozenset[str] = frozenset()
    # When the restrictions end, in the world clock's whole seconds (Telegram keeps dates in seconds); None:
    # never. A timed ban ends too: the person is then out and free to join again.
    until: int | None = None

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
    edited_at: float | None = None
    mentions: list[tuple[int, int, int]] = field(default_factory=list)  # (offset, length, user id), UTF-16 units


@dataclass
class Person:
    id: int
    name: str
    bot: bool = False  # a bot account (User.bot): it may be in groups but cannot join channels
    username: str | None = None
    language: str | None = None  # their app's language (User.lang_code), as Telegram tells bots


class Participants(dict):
    """A chat's participants by user id, keeping its admins' ids as they change.

    Telegram answers "who are the admins" from an index; scanning a group of 10,000 on every such call made
    the simulator, which stands for Telegram's servers, cost the benchmarked bot's process a few percent.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin_ids = {user for user, p in self.items() if p.status in ADMIN_STATUSES}

    def __setitem__(self, user_id: int, participant: Participant) -> None:
        super().__setitem__(user_id, participant)
        if participant.status in ADMIN_STATUSES:
            self.admin_ids.add(user_id)
        else:
            self.admin_ids.discard(user_id)

    def __delitem__(self, user_id: int) -> None:
        super().__delitem__(user_id)
        self.admin_ids.discard(user_id)

    def pop(self, user_id: int, *default: Any) -> Any:
        self.admin_ids.discard(user_id)
        return super().pop(user_id, *default)

    def setdefault(self, user_id: int, participant: Participant) -> Participant:  # type: ignore[override]
        if user_id not in self:
            self[user_id] = participant
        return self[user_id]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for user_id, participant in dict(*args, **kwargs).items():
            self[user_id] = participant

    def popitem(self) -> tuple[int, Participant]:
        user_id, participant = super().popitem()
        self.admin_ids.discard(user_id)
        return user_id, participant

    def clear(self) -> None:
        super().clear()
        self.admin_ids.clear()

    def __ior__(self, other: Any) -> "Participants":
        self.update(other)
        return self

    def __reduce__(self) -> tuple:
        return Participants, (dict(self),)  # copied or pickled, it rebuilds its index from its items


@dataclass
class Chat:
    id: int
    kind: str  # group | channel
    title: str
    username: str | None = None
    linked_to: int | None = None  # a channel's discussion group
    bot_admin: bool = True
    bot_present: bool = True  # False once the bot is removed: it sees nothing of the chat and may ask nothing
    bot_rights: frozenset[str] = ADMIN_RIGHTS  # what the bot may do while it is an admin here
    participants: dict[int, Participant] = field(default_factory=Participants)
    messages: dict[int, Message] = field(default_factory=dict)
    join_requests: dict[int, str] = field(default_factory=dict)  # user -> pending | approved | declined
    next_message_id: int = 1
    invite_links_exported: int = 0
    sent_keys: set[int] = field(default_factory=set)  # random_ids of the bot's messages, which Telegram dedupes

    def __setattr__(self, name: str, value: Any) -> None:
        # Participants given as a plain dict (a test building its world) still get the admin index.
        if name == "participants" and not isinstance(value, Participants):
            value = Participants(value)
        super().__setattr__(name, value)

    def bot_may(self, right: str) -> bool:
        """Whether the bot, as an admin here, holds this admin right."""
        return self.bot_present and self.bot_admin and right in self.bot_rights

    def status_of(self, user_id: int) -> Participant | None:
        return self.participants.get(user_id)

    def admins(self) -> set[int]:
        return set(self.participants.admin_ids)  # type: ignore[attr-defined]
