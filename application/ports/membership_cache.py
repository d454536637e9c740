"""Recently learned channel statuses, so a known member costs no Telegram call."""

from typing import Protocol


class MembershipCache(Protocol):
    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        """Cached statuses for those channels; channels not cached are absent."""

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        """Remember a status: a subscribed one for long, any other briefly."""

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        """Remember many members' statuses in one channel, as `put` would each: a page of a listing at once."""

    async def forget_channel(self, channel_id: int) -> None:
        """Drop every status in this channel: updates about it may have been missed."""

    async def clear(self) -> None: ...
