"""Answers "is this person subscribed to these channels?" at the lowest Telegram cost."""

import asyncio
from dataclasses import dataclass, field

from application.ports.membership_cache import MembershipCache
from application.ports.telegram import TelegramError, TelegramGateway
from domain import subscription


@dataclass
class CheckResult:
    statuses: dict[int, str] = field(default_factory=dict)
    failures: dict[int, TelegramError] = field(default_factory=dict)
    api_calls: int = 0

    def missing(self, channels: list[int]) -> list[int]:
        """Channels known not to be subscribed (failed checks are not counted as missing)."""
        return [c for c in subscription.missing_channels(channels, self.statuses) if c not in self.failures]


class MembershipChecker:
    def __init__(self, gateway: TelegramGateway, cache: MembershipCache) -> None:
        self._gateway = gateway
        self._cache = cache
        # Questions on their way to Telegram: a member sending five messages at once is asked about once.
        self._asking: dict[tuple[int, int], asyncio.Future[str | TelegramError]] = {}

    async def check(self, user_id: int, channels: list[int], fresh: bool = False) -> CheckResult:
        result = CheckResult()
        if not fresh:
            result.statuses.update(await self._cache.get_many(user_id, channels))
        unknown = [c for c in channels if c not in result.statuses]
        if unknown:
            answers = await asyncio.gather(*(self._ask(user_id, c) for c in unknown))
            for channel, answer in zip(unknown, answers, strict=True):
                result.api_calls += 1
                if isinstance(answer, TelegramError):
                    result.failures[channel] = answer
                else:
                    result.statuses[channel] = answer
        return result

    async def cached(self, user_id: int, channels: list[int]) -> CheckResult:
        """Only what the cache knows; channels it does not know count as neither missing nor subscribed."""
        result = CheckResult(statuses=await self._cache.get_many(user_id, channels))
        result.failures = {c: TelegramError(TelegramError.INTERNAL, "not cached") for c in channels
                           if c not in result.statuses}
        return result

    async def _ask(self, user_id: int, channel_id: int) -> str | TelegramError:
        key = (user_id, channel_id)
        if key in self._asking:
            return await asyncio.shield(self._asking[key])
        future: asyncio.Future[str | TelegramError] = asyncio.get_running_loop().create_future()
        self._asking[key] = future
        try:
            answer = await self._ask_telegram(user_id, channel_id)
            future.set_result(answer)
            return answer
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so an unshared failure is not reported as never awaited
            raise
        finally:
            del self._asking[key]

    async def _ask_telegram(self, user_id: int, channel_id: int) -> str | TelegramError:
        try:
            status = (await self._gateway.get_participant(channel_id, user_id)).status
        except TelegramError as error:
            return error
        await self._cache.put(user_id, channel_id, status)
        return status

    async def observed(self, user_id: int, channel_id: int, status: str) -> None:
        """A status Telegram told us about unprompted: it replaces whatever was cached."""
        await self._cache.put(user_id, channel_id, status)

    async def observed_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        """Many members' statuses in one channel, listed by Telegram: as `observed` for each, in one go."""
        await self._cache.put_many(channel_id, statuses)

    async def forget_channel(self, channel_id: int) -> None:
        """The bot could not see this channel for a while: what was cached about it may be out of date."""
        await self._cache.forget_channel(channel_id)
