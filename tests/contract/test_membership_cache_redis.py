"""The membership cache contract on Redis (real TTLs), plus what only the Redis cache promises."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from membership_cache_contract import USER, MembershipCacheContract
from redis_fixtures import keys_under, redis_namespace

from adapters.redis.membership_cache import RedisMembershipCache
from adapters.system_clock import SystemClock


class TestRedisMembershipCache(MembershipCacheContract):
    @asynccontextmanager
    async def make(self, positive_ttl: float, negative_ttl: float) -> AsyncIterator[RedisMembershipCache]:
        async with redis_namespace() as (client, prefix):
            yield RedisMembershipCache(client, SystemClock(), prefix, positive_ttl, negative_ttl, jitter=0)

    async def wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def test_clear_leaves_keys_outside_its_namespace() -> None:
    async with redis_namespace() as (client, prefix):
        # A prefix with a glob character: clearing it must not sweep up a neighbour that the glob would match.
        cache = RedisMembershipCache(client, SystemClock(), f"{prefix}a*:")
        await client.set(f"{prefix}ab:membership:1:1", "member")
        await client.set(f"{prefix}a*:read:position", 7)
        await cache.put(USER, 5, "member")
        await cache.clear()
        assert await keys_under(client, prefix) == [
            f"{prefix}a*:read:position".encode(),
            f"{prefix}ab:membership:1:1".encode(),
        ]


async def test_ttls_are_jittered_within_bounds() -> None:
    async with redis_namespace() as (client, prefix):
        cache = RedisMembershipCache(client, SystemClock(), prefix, positive_ttl=100, negative_ttl=10, jitter=0.15)
        for channel in range(20):
            await cache.put(USER, channel, "member")
            await cache.put(USER + 1, channel, "left")
        positive = [await client.pttl(f"{prefix}membership:{USER}:{c}") for c in range(20)]
        negative = [await client.pttl(f"{prefix}membership:{USER + 1}:{c}") for c in range(20)]
        assert all(84_000 <= ttl <= 115_000 for ttl in positive)
        assert all(8_400 <= ttl <= 11_500 for ttl in negative)
        assert len(set(positive)) > 1  # spread out, not one expiry for the whole crowd
