"""The membership cache contract on memory-over-Redis, and coherence between two instances."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from membership_cache_contract import CHANNEL_A, CHANNEL_B, USER, MembershipCacheContract
from redis_fixtures import redis_namespace

from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.redis.layered_cache import LayeredMembershipCache
from adapters.redis.membership_cache import RedisMembershipCache
from adapters.system_clock import SystemClock


def layered(client: object, prefix: str, positive_ttl: float = 60, negative_ttl: float = 5) -> LayeredMembershipCache:
    clock = SystemClock()
    first = InMemoryMembershipCache(clock, positive_ttl, negative_ttl, jitter=0)
    return LayeredMembershipCache(
        first, RedisMembershipCache(client, clock, prefix, positive_ttl, negative_ttl, jitter=0)
    )


class TestLayeredMembershipCache(MembershipCacheContract):
    @asynccontextmanager
    async def make(self, positive_ttl: float, negative_ttl: float) -> AsyncIterator[LayeredMembershipCache]:
        async with redis_namespace() as (client, prefix):
            yield layered(client, prefix, positive_ttl, negative_ttl)

    async def wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def test_a_status_found_in_redis_is_kept_in_memory() -> None:
    async with redis_namespace() as (client, prefix):
        first = InMemoryMembershipCache(SystemClock())
        cache = LayeredMembershipCache(first, RedisMembershipCache(client, SystemClock(), prefix))
        await RedisMembershipCache(client, SystemClock(), prefix).put(USER, CHANNEL_A, "member")
        assert await cache.get_many(USER, [CHANNEL_A, CHANNEL_B]) == {CHANNEL_A: "member"}
        assert await first.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}


async def test_a_put_on_one_instance_replaces_the_memory_copy_on_another() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = layered(client, prefix), layered(client, prefix)
        listening = asyncio.create_task(a.listen())
        try:
            await asyncio.wait_for(a.ready.wait(), 1)
            await a.put(USER, CHANNEL_A, "member")
            assert await a.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}  # now served from A's memory

            await b.put(USER, CHANNEL_A, "left")

            async def a_sees_left() -> None:
                while await a.get_many(USER, [CHANNEL_A]) != {CHANNEL_A: "left"}:
                    await asyncio.sleep(0.01)

            await asyncio.wait_for(a_sees_left(), 1)
            assert a.applied == 1  # B's put only: A ignored the announcement of its own
        finally:
            a.stop()
            await asyncio.wait_for(listening, 2)
