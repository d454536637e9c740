"""What every MembershipCache must do, whatever keeps the statuses.

A subclass supplies `make` (a cache with the given TTLs and no jitter) and `wait` (let time pass for it:
advance a simulated clock, or sleep when expiry is Redis's real-time TTL).
"""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest

from application.ports.membership_cache import MembershipCache

POSITIVE_TTL = 2.0
NEGATIVE_TTL = 0.3
USER, OTHER_USER = 1001, 1002
CHANNEL_A, CHANNEL_B, CHANNEL_C = -1001, -1002, -1003


class MembershipCacheContract(ABC):
    @abstractmethod
    def make(self, positive_ttl: float, negative_ttl: float) -> AbstractAsyncContextManager[MembershipCache]: ...

    @abstractmethod
    async def wait(self, seconds: float) -> None: ...

    @pytest.fixture
    async def cache(self) -> AsyncIterator[MembershipCache]:
        async with self.make(POSITIVE_TTL, NEGATIVE_TTL) as cache:
            yield cache

    async def test_nothing_cached_is_a_miss(self, cache: MembershipCache) -> None:
        assert await cache.get_many(USER, [CHANNEL_A, CHANNEL_B]) == {}
        assert await cache.get_many(USER, []) == {}

    async def test_a_put_status_is_found_for_that_user_and_channel_only(self, cache: MembershipCache) -> None:
        await cache.put(USER, CHANNEL_A, "member")
        await cache.put(USER, CHANNEL_B, "left")
        assert await cache.get_many(USER, [CHANNEL_A, CHANNEL_B, CHANNEL_C]) == {CHANNEL_A: "member", CHANNEL_B: "left"}
        assert await cache.get_many(OTHER_USER, [CHANNEL_A, CHANNEL_B]) == {}

    async def test_subscribed_statuses_outlive_the_others(self, cache: MembershipCache) -> None:
        await cache.put(USER, CHANNEL_A, "member")
        await cache.put(USER, CHANNEL_B, "restricted")  # muted in the channel, but still subscribed
        await cache.put(USER, CHANNEL_C, "left")
        await cache.put(OTHER_USER, CHANNEL_A, "kicked")
        await cache.put(OTHER_USER, CHANNEL_B, "member")
        await cache.put(OTHER_USER, CHANNEL_B, "left")  # a replaced status takes the new status's TTL
        await self.wait(NEGATIVE_TTL + 0.2)
        assert await cache.get_many(USER, [CHANNEL_A, CHANNEL_B, CHANNEL_C]) == {
            CHANNEL_A: "member",
            CHANNEL_B: "restricted",
        }
        assert await cache.get_many(OTHER_USER, [CHANNEL_A, CHANNEL_B]) == {}

    async def test_a_put_replaces_the_earlier_status_at_once(self, cache: MembershipCache) -> None:
        await cache.put(USER, CHANNEL_A, "member")
        await cache.put(USER, CHANNEL_A, "left")  # a leave observed while "member" was cached
        assert await cache.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "left"}
        await cache.put(USER, CHANNEL_A, "member")  # and the rejoin
        assert await cache.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}

    async def test_a_page_put_at_once_is_each_status_put_with_its_own_ttl(self, cache: MembershipCache) -> None:
        await cache.put(OTHER_USER, CHANNEL_A, "member")
        await cache.put_many(CHANNEL_A, [(USER, "member"), (OTHER_USER, "left")])  # replaces, as put does
        await cache.put_many(CHANNEL_B, [])
        assert await cache.get_many(USER, [CHANNEL_A, CHANNEL_B]) == {CHANNEL_A: "member"}
        assert await cache.get_many(OTHER_USER, [CHANNEL_A]) == {CHANNEL_A: "left"}
        await self.wait(NEGATIVE_TTL + 0.2)
        assert await cache.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}
        assert await cache.get_many(OTHER_USER, [CHANNEL_A]) == {}

    async def test_forgetting_a_channel_drops_its_statuses_only(self, cache: MembershipCache) -> None:
        await cache.put(USER, CHANNEL_A, "member")
        await cache.put(USER, CHANNEL_B, "member")
        await cache.put(OTHER_USER, CHANNEL_A, "left")
        await cache.put(OTHER_USER, CHANNEL_C, "member")
        await cache.forget_channel(CHANNEL_A)
        assert await cache.get_many(USER, [CHANNEL_A, CHANNEL_B]) == {CHANNEL_B: "member"}
        assert await cache.get_many(OTHER_USER, [CHANNEL_A, CHANNEL_C]) == {CHANNEL_C: "member"}
        await cache.put(USER, CHANNEL_A, "member")  # and it is cached again as usual
        assert await cache.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}

    async def test_clear_forgets_everything(self, cache: MembershipCache) -> None:
        await cache.put(USER, CHANNEL_A, "member")
        await cache.put(OTHER_USER, CHANNEL_B, "left")
        await cache.clear()
        assert await cache.get_many(USER, [CHANNEL_A]) == {}
        assert await cache.get_many(OTHER_USER, [CHANNEL_B]) == {}
