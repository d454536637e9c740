"""The membership cache contract on the in-process cache, with a simulated clock."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from membership_cache_contract import MembershipCacheContract

from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.simulated_telegram.clock import SimulatedClock


class TestInMemoryMembershipCache(MembershipCacheContract):
    @asynccontextmanager
    async def make(self, positive_ttl: float, negative_ttl: float) -> AsyncIterator[InMemoryMembershipCache]:
        self.clock = SimulatedClock()
        yield InMemoryMembershipCache(self.clock, positive_ttl, negative_ttl, jitter=0)

    async def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)


async def test_past_its_bound_the_cache_drops_expired_entries_then_the_oldest_written() -> None:
    clock = SimulatedClock()
    cache = InMemoryMembershipCache(clock, positive_ttl=100, negative_ttl=10, jitter=0, max_entries=10)
    for user in range(5):
        await cache.put(user, 1, "left")  # expire after 10 s
    clock.advance(20)
    for user in range(5, 16):
        await cache.put(user, 1, "member")
    assert await cache.get_many(5, [1]) == {}  # the oldest live entry made room
    live = [user for user in range(16) if await cache.get_many(user, [1])]
    assert live == list(range(7, 16))  # back to nine tenths of the bound, the newest kept
    await cache.put(7, 1, "member")  # written again: now the newest
    for user in range(16, 18):
        await cache.put(user, 1, "member")
    assert await cache.get_many(7, [1]) == {1: "member"}
