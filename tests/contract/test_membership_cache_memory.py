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
