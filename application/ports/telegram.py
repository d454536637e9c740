"""What the gate asks of Telegram, in the gate's own words."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class TelegramError(Exception):
    """Telegram refused or did not answer. `kind` says which, so callers can decide by policy."""

    FLOOD_WAIT = "flood_wait"
    TIMEOUT = "timeout"
    NOT_ADMIN = "not_admin"  # the bot lacks the rights it needs in that chat
    TARGET_IS_ADMIN = "target_is_admin"
    NOT_FOUND = "not_found"
    NOT_PARTICIPANT = "not_participant"  # the person is not in the chat (USER_NOT_PARTICIPANT)
    DUPLICATE = "duplicate"  # a message with this idempotency key was sent already (RANDOM_ID_DUPLICATE)
    INTERNAL = "internal"

    def __init__(self, kind: str, detail: str = "", retry_after: float = 0.0) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.retry_after = retry_after

    @property
    def is_transient(self) -> bool:
        return self.kind in (self.FLOOD_WAIT, self.TIMEOUT, self.INTERNAL)


@dataclass(frozen=True)
class Participant:
    """A person's place in a chat: a subscription status, any per-member restrictions and when they end.

    `until` is None for restrictions without an end (or no restrictions). Telegram keeps a member's
    restrictions after they leave, so a left participant may carry some too.
    """

    status: str
    restrictions: frozenset[str] = frozenset()
    until: datetime | None = None


class Listing(StrEnum):
    """What channels.getParticipants lists (its filter). Telegram lists a broadcast channel's 200 most recent
    subscribers at most (to anyone, admins included) and a supergroup's first 10,000 with RECENT; BANNED and
    KICKED list the restricted and the banned; all but ADMINS need the bot to be an admin."""

    RECENT = "recent"
    ADMINS = "admins"
    BANNED = "banned"  # restricted members (and people who left restricted), with their banned rights
    KICKED = "kicked"  # banned from the chat
    SEARCH = "search"  # members whose name matches a query


LIST_LIMIT = 200  # the most participants one channels.getParticipants call returns


@dataclass(frozen=True)
class ParticipantPage:
    """One call's page of a listing: `total` is Telegram's count of all that match (more than it may list)."""

    total: int
    members: tuple[tuple[int, Participant], ...] = ()


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    title: str
    username: str | None = None

    @property
    def is_private(self) -> bool:
        return self.username is None


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str  # the display name


@dataclass(frozen=True)
class Button:
    text: str
    url: str | None = None
    data: bytes | None = None


MENU_GROUP_ADMINS = "group_admins"
MENU_PRIVATE = "private"


@dataclass(frozen=True)
class Mention:
    """A text mention: `length` characters of the text from `offset`, both counted in UTF-16 code units as
    Telegram counts them, link to the person, and Telegram notifies them."""

    offset: int
    length: int
    user_id: int


@dataclass(frozen=True)
class OutgoingMessage:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    reply_to: int | None = None
    mentions: tuple[Mention, ...] = ()


class TelegramGateway(Protocol):
    @property
    def bot_id(self) -> int: ...

    async def get_participant(self, chat_id: int, user_id: int) -> Participant: ...

    async def get_admins(self, chat_id: int) -> frozenset[int]: ...

    async def list_participants(
        self, chat_id: int, listing: Listing, offset: int = 0, limit: int = LIST_LIMIT, query: str = ""
    ) -> ParticipantPage:
        """One page (at most LIST_LIMIT, from `offset`) of the chat's participants `listing` picks; one call."""

    async def my_rights(self, chat_id: int) -> frozenset[str] | None:
        """The admin rights the bot holds in the chat (Telegram's ChatAdminRights names, e.g. ban_users);
        None when it is no admin there. One read of the bot's own participant."""

    async def resolve_channel(self, ref: str | int) -> ChannelInfo: ...

    async def resolve_user(self, username: str) -> UserInfo:
        """A person by @username (or t.me link); NOT_FOUND when no person has it (a channel's is no person's)."""

    async def export_invite_link(self, channel_id: int) -> str: ...

    async def restrict(
        self, chat_id: int, member_id: int, restrictions: frozenset[str], until: datetime | None = None
    ) -> None:
        """Set the member's per-member restrictions to exactly this set (empty: group defaults), ending at
        `until` (None: no end). Telegram replaces what was there: empty rights on a banned person unban them."""

    async def kick(self, chat_id: int, member_id: int) -> None: ...

    async def send_message(self, chat_id: int, message: OutgoingMessage, key: int | None = None) -> int:
        """Post a message; `key` (Telegram's random_id) makes a repeat fail with DUPLICATE instead of posting twice."""

    async def send_private(self, user_id: int, text: str, key: int | None = None) -> None:
        """A direct message, which Telegram lets a bot send to someone who asked to join a chat it manages;
        `key` (random_id) makes a repeat fail with DUPLICATE."""

    async def edit_message(self, chat_id: int, message_id: int, message: OutgoingMessage) -> None: ...

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None: ...

    async def answer_callback(self, query_id: int, text: str, alert: bool = False) -> None: ...

    async def decide_join_request(self, chat_id: int, user_id: int, approve: bool) -> None: ...

    async def set_commands(self, scope: str, language: str, commands: list[tuple[str, str]]) -> None:
        """The command menu Telegram's apps show: (command, description) pairs for `scope` (MENU_GROUP_ADMINS:
        admins in any group; MENU_PRIVATE: private chats with the bot), for users whose app is in `language`
        ("" for everyone else)."""
