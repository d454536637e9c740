"""Memory over Redis for one instance: a full copy while subscribed, and Redis written behind the answer."""

import asyncio

from membership_cache_contract import CHANNEL_A, CHANNEL_B, CHANNEL_C, OTHER_USER, USER
from redis_fixtures import messages_heard, redis_namespace
from test_membership_cache_layered import layered, listening

from adapters.redis.membership_cache import RedisMembershipCache
from adapters.system_clock import SystemClock
from application.health import Health
from application.resilient_cache import COMPONENT, ResilientCache


def key(prefix: str, user: int, channel: int) -> str:
    return f"{prefix}membership:{user}:{channel}"


async def test_a_subscribed_instance_holds_what_redis_held_and_asks_redis_nothing_more() -> None:
    async with redis_namespace() as (client, prefix):
        other = RedisMembershipCache(client, SystemClock(), prefix, 60, 5, jitter=0)
        await other.put(USER, CHANNEL_A, "member")
        await other.put(OTHER_USER, CHANNEL_B, "left")
        a = layered(client, prefix)
        assert not a.complete
        async with listening(a):
            await asyncio.wait_for(_until(lambda: a.complete), 1)
            assert a.loaded == 2
            # Taken out of Redis behind the cache's back: memory still answers, so it was filled.
            await client.unlink(key(prefix, USER, CHANNEL_A), key(prefix, OTHER_USER, CHANNEL_B))
            assert await a.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}
            assert await a.get_many(OTHER_USER, [CHANNEL_B]) == {CHANNEL_B: "left"}
            # Written behind its back, unannounced: a memory miss is not looked up in Redis.
            await other.put(USER, CHANNEL_C, "member")
            assert await a.get_many(USER, [CHANNEL_C]) == {}
        assert not a.complete  # no longer subscribed: announcements may be missed, so Redis is read again
        assert await a.get_many(USER, [CHANNEL_C]) == {CHANNEL_C: "member"}


async def test_a_fill_keeps_what_this_instance_put_meanwhile() -> None:
    async with redis_namespace() as (client, prefix):
        await RedisMembershipCache(client, SystemClock(), prefix, 60, 5, jitter=0).put(USER, CHANNEL_A, "member")
        a = layered(client, prefix)
        await a._first.keep(USER, CHANNEL_A, "left", SystemClock().time() + 5)  # a leave seen as the fill runs
        await a._fill()
        assert await a.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "left"}


async def test_puts_return_before_redis_holds_them_and_one_turn_of_puts_is_one_call_and_one_message() -> None:
    async with redis_namespace() as (client, prefix):
        a = layered(client, prefix)
        spy = client.pubsub()
        await spy.subscribe(a.channel)
        try:
            await asyncio.gather(*(a.put(user, CHANNEL_A, "member") for user in range(1, 51)))
            assert a._second.behind.written == 0  # every put answered before Redis held its status
            await a.flushed()
            assert await client.exists(*(key(prefix, user, CHANNEL_A) for user in range(1, 51))) == 50
            heard = await messages_heard(spy, 0.3)
        finally:
            await spy.aclose()
        assert a._second.behind.calls == 1
        assert [len(message.splitlines()) for message in heard] == [50]
        # The memory level and Redis expire a status at the same moment.
        value = (await client.get(key(prefix, 7, CHANNEL_A))).decode()
        assert float(value.split()[1]) == a._first._entries[(7, CHANNEL_A)][0]


async def test_writes_reach_redis_in_the_order_they_were_made() -> None:
    async with redis_namespace() as (client, prefix):
        a = layered(client, prefix)
        for status in ("member", "left", "member", "kicked"):
            await a.put(USER, CHANNEL_A, status)
            await asyncio.sleep(0.02)  # each later than the last call gathered, so each goes in a call of its own
        await a.flushed()
        assert a._second.behind.calls >= 2
        plain = RedisMembershipCache(client, SystemClock(), prefix)
        assert await plain.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "kicked"}


async def test_a_write_failing_behind_the_answer_degrades_health_and_the_next_one_that_lands_restores_it() -> None:
    async with redis_namespace() as (client, prefix):
        health = Health()
        a = layered(client, prefix)
        cache = ResilientCache(a, health)
        await cache.put(USER, CHANNEL_A, "member")
        await a.flushed()
        assert not health.degraded
        a._second.behind._client = _Refusing()
        await cache.put(USER, CHANNEL_B, "member")  # answered from memory; its write fails behind
        await a.flushed()
        assert COMPONENT in health.problems
        assert await cache.get_many(USER, [CHANNEL_B]) == {CHANNEL_B: "member"}
        a._second.behind._client = client
        await cache.put(USER, CHANNEL_C, "member")  # while writes fail, a put waits for its own
        assert not health.degraded


class _Refusing:
    async def execute_command(self, *args: object) -> None:
        raise ConnectionError("refused")


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_forgetting_the_local_level_fills_it_again_from_redis_as_a_restart_does() -> None:
    async with redis_namespace() as (client, prefix):
        a = layered(client, prefix)
        async with listening(a):
            await asyncio.wait_for(_until(lambda: a.complete), 1)
            await a.put(USER, CHANNEL_A, "member")
            await a.forget_local()
            assert a.complete and a.loaded == 1
            await client.unlink(key(prefix, USER, CHANNEL_A))
            assert await a.get_many(USER, [CHANNEL_A]) == {CHANNEL_A: "member"}  # from the refilled memory


async def test_a_redis_read_begun_before_memory_was_dropped_does_not_fill_the_new_memory() -> None:
    async with redis_namespace() as (client, prefix):
        await RedisMembershipCache(client, SystemClock(), prefix, 60, 5, jitter=0).put(USER, CHANNEL_A, "member")
        a = layered(client, prefix)
        reading = asyncio.create_task(a.get_many(USER, [CHANNEL_A]))
        await asyncio.sleep(0)  # the read is on its way
        await a._drop_memory()  # as a new subscription does: what it read may have changed unannounced
        assert await reading == {CHANNEL_A: "member"}  # the caller still gets its answer
        assert await a._first.get_many(USER, [CHANNEL_A]) == {}  # but memory does not keep it
