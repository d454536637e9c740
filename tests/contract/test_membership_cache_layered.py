"""The membership cache contract on memory-over-Redis, and coherence between two instances."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from membership_cache_contract import CHANNEL_A, CHANNEL_B, USER, MembershipCacheContract
from redis_fixtures import messages_heard, redis_namespace

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


@asynccontextmanager
async def listening(cache: LayeredMembershipCache) -> AsyncIterator[None]:
    """The cache's listener running and subscribed for the block, then stopped."""
    task = asyncio.create_task(cache.listen())
    try:
        await asyncio.wait_for(cache.ready.wait(), 1)
        yield
    finally:
        cache.stop()
        await asyncio.wait_for(task, 2)


async def eventually(condition: Callable[[], Awaitable[bool]], seconds: float = 1) -> None:
    async def poll() -> None:
        while not await condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), seconds)


def sees(cache: LayeredMembershipCache, expected: dict[int, str], *channels: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await cache.get_many(USER, list(channels)) == expected

    return check


async def test_a_put_on_one_instance_replaces_the_memory_copy_on_another() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = layered(client, prefix), layered(client, prefix)
        async with listening(a):
            await a.put(USER, CHANNEL_A, "member")
            assert await a.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}  # now served from A's memory
            await b.put(USER, CHANNEL_A, "left")
            await eventually(sees(a, {CHANNEL_A: "left"}, CHANNEL_A))
            assert a.applied == 1  # B's put only: A ignored the announcement of its own


async def test_a_channel_forgotten_on_one_instance_is_forgotten_in_the_memory_of_another() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = layered(client, prefix), layered(client, prefix)
        async with listening(a):
            await a.put(USER, CHANNEL_A, "member")
            await a.put(USER, CHANNEL_B, "member")
            await b.forget_channel(CHANNEL_A)
            await eventually(sees(a, {CHANNEL_B: "member"}, CHANNEL_A, CHANNEL_B))
            assert a.applied == 1


async def test_a_lost_subscription_is_made_again_and_the_memory_it_could_not_keep_coherent_dropped() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = layered(client, prefix), layered(client, prefix)
        before = {entry["id"] for entry in await client.client_list(_type="pubsub")}
        async with listening(a):
            ours = [e["id"] for e in await client.client_list(_type="pubsub") if e["id"] not in before]
            assert len(ours) == 1
            await a.put(USER, CHANNEL_A, "member")
            await a.flushed()  # in Redis too, before the other instance's write below
            await client.execute_command("CLIENT", "KILL", "ID", ours[0])
            # Meanwhile another instance sees the member leave; A, not subscribed, cannot hear of it.
            await RedisMembershipCache(client, SystemClock(), prefix, 60, 5, jitter=0).put(USER, CHANNEL_A, "left")

            async def subscribed_again() -> bool:
                return a.subscriptions >= 2 and a.ready.is_set()

            await eventually(subscribed_again, 5)
            assert await a.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "left"}  # from Redis, not stale memory
            await b.put(USER, CHANNEL_A, "member")  # and announcements reach A again
            await eventually(sees(a, {CHANNEL_A: "member"}, CHANNEL_A))


async def test_statuses_written_together_reach_another_instance_in_one_message() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = layered(client, prefix), layered(client, prefix)
        async with listening(a):
            spy = client.pubsub()
            await spy.subscribe(a.channel)
            try:
                await asyncio.gather(b.put(USER, CHANNEL_A, "left"), b.put(USER, CHANNEL_B, "member"))
                await eventually(sees(a, {CHANNEL_A: "left", CHANNEL_B: "member"}, CHANNEL_A, CHANNEL_B))
                assert [len(message.splitlines()) for message in await messages_heard(spy, 0.3)] == [2]
            finally:
                await spy.aclose()
            assert a.applied == 2


async def test_a_malformed_announcement_is_ignored_and_coherence_goes_on() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = layered(client, prefix), layered(client, prefix)
        async with listening(a):
            for junk in (b"not json", b'{"origin": "x"}', b'{"origin": "x", "user": [], "channel": 1, "status": 2}'):
                await client.publish(a.channel, junk)
            # One bad line among good ones costs only itself.
            good = f'{{"origin": "x", "user": {USER}, "channel": {CHANNEL_B}, "status": "member"}}'
            await client.publish(a.channel, f"not json\n{good}")
            await b.put(USER, CHANNEL_A, "left")
            await eventually(sees(a, {CHANNEL_A: "left", CHANNEL_B: "member"}, CHANNEL_A, CHANNEL_B))
            assert a.applied == 2 and a.subscriptions == 1


async def test_a_page_written_behind_lands_in_redis_status_by_status_with_each_ttl() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = layered(client, prefix), layered(client, prefix)
        page = [(USER + n, "member" if n % 3 else "left") for n in range(300)]
        async with listening(a):
            await b.put_many(CHANNEL_A, page)
            await b.flushed()
            assert b._second.behind.calls == 1  # the page went in one script call
            keys = [f"{prefix}membership:{user}:{CHANNEL_A}" for user, _ in page]
            values = await client.mget(keys)
            assert [v.decode().split(" ")[0] for v in values] == [status for _, status in page]
            ttls = [await client.pttl(key) for key in keys]
            assert all((55_000 < ttl <= 60_000) if status == "member" else (0 < ttl <= 5_000)
                       for ttl, (_, status) in zip(ttls, page, strict=True))
            await eventually(sees(a, {CHANNEL_A: "left"}, CHANNEL_A))  # announced to the other instance
            assert a.applied == len(page)
