"""A membership cache that never stops the gate: when it cannot answer, Telegram is asked instead."""

from application.health import Health
from application.ports.availability import Unavailable
from application.ports.membership_cache import MembershipCache

COMPONENT = "membership_cache"


class ResilientCache:
    def __init__(self, inner: MembershipCache, health: Health) -> None:
        self._inner = inner
        self._health = health
        # A cache that writes behind the answer tells of those writes' failures (and their end) later.
        if (watch := getattr(inner, "watch_writes", None)) is not None:
            watch(self._written)

    def _written(self, error: Unavailable | None) -> None:
        if error is None:
            self._health.recovered(COMPONENT)
        else:
            self._health.failed(COMPONENT, str(error))

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        try:
            found = await self._inner.get_many(user_id, channels)
        except Unavailable as error:
            self._health.failed(COMPONENT, str(error))
            return {}  # a miss: the checker asks Telegram, so the verdict stays right, only slower
        # A read may have been answered by an in-process level alone, so only a write proves recovery.
        return found

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        try:
            await self._inner.put(user_id, channel_id, status)
        except Unavailable as error:
            # A status that could not be stored is simply asked again next time.
            self._health.failed(COMPONENT, str(error))
            return
        self._health.recovered(COMPONENT)

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        try:
            await self._inner.put_many(channel_id, statuses)
        except Unavailable as error:
            self._health.failed(COMPONENT, str(error))
            return
        self._health.recovered(COMPONENT)

    async def forget_channel(self, channel_id: int) -> None:
        try:
            await self._inner.forget_channel(channel_id)
        except Unavailable as error:
            # Redis is away: its statuses age out on their own TTL, and this process's level is already gone.
            self._health.failed(COMPONENT, str(error))

    async def clear(self) -> None:
        await self._inner.clear()
