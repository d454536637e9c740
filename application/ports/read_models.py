"""Views of the log kept current by projection, for questions asked on every update."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from domain.channel import Channel
from domain.membership_verdict import UNKNOWN

# Releases older than this, counted back from the latest one stored for the group, may be forgotten: the figures
# ask about the last week only, so the index stays the size of a week's releases.
RELEASES_KEPT = timedelta(days=8)


@dataclass(frozen=True)
class GroupView:
    chat_id: int
    title: str
    protected: bool
    channels: list[Channel]
    settings: dict[str, Any]
    blind: list[int] = field(default_factory=list)  # chats where the bot lacks admin rights
    exempt: list[int] = field(default_factory=list)  # members an admin exempted (/exempt)

    @property
    def can_enforce(self) -> bool:
        """False while the bot is no admin of the group itself: it can neither mute nor delete there."""
        return self.chat_id not in self.blind

    @property
    def channel_ids(self) -> list[int]:
        return [c.id for c in self.channels]


@dataclass(frozen=True)
class VerdictView:
    chat_id: int
    member_id: int
    status: str
    reason: str | None = None
    missing: list[int] = field(default_factory=list)
    since: datetime | None = None
    join_request: str | None = None
    warning_id: int | None = None
    warning_at: datetime | None = None
    warning_shared: bool = False
    standing: str | None = None  # the member's place in the group, as Telegram last told it
    mute_in_force: bool = False  # a mute of the bot's is on them (still owed a lift when released)
    name: str | None = None
    released_at: datetime | None = None  # the member's latest release (MemberReleased), if any
    recheck: bool = False  # released by /release: their next check asks Telegram, not the cache

    @property
    def decided(self) -> bool:
        """Whether the gate ever decided about this member (verified, restricted or released)."""
        return self.status != UNKNOWN


class ReadModels(Protocol):
    async def group(self, chat_id: int) -> GroupView | None: ...

    async def groups_for_channel(self, channel_id: int) -> list[int]: ...

    async def verdict(self, chat_id: int, member_id: int) -> VerdictView | None: ...

    async def restricted(self, chat_id: int) -> list[VerdictView]: ...

    async def restricted_member(self, member_id: int) -> list[VerdictView]:
        """The member's restricted verdicts in every group, by chat (for /why in a private chat)."""

    async def live_warnings(self) -> list[VerdictView]:
        """Every verdict whose warning is still posted, in any group (for expiry after a restart)."""

    async def checked(self, chat_id: int) -> int:
        """How many distinct members the gate decided about in the group (ever, as the log holds)."""

    async def released_since(self, chat_id: int, since: datetime) -> int:
        """How many distinct members were last released in the group at or after `since`."""

    async def position(self) -> int: ...

    async def apply(self, position: int, groups: Sequence[GroupView], verdicts: Sequence[VerdictView]) -> None:
        """Store these views and the new position together, or nothing at all."""

    async def clear(self) -> None: ...
