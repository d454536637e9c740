"""Redis commands asked for in one turn of the event loop share a pipeline, and each caller gets its own replies."""

import asyncio

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from redis_fixtures import messages_heard, redis_namespace

from adapters.redis.batching import BatchedCommands
from adapters.redis.errors import RedisUnavailable
from adapters.redis.membership_cache import RedisMembershipCache
from adapters.system_clock import SystemClock


async def test_concurrent_lookups_share_round_trips_and_each_gets_its_own_statuses() -> None:
    async with redis_namespace() as (client, prefix):
        cache = RedisMembershipCache(client, SystemClock(), prefix, jitter=0)
        await asyncio.gather(*(cache.put(user, -100, "member" if user % 2 else "left") for user in range(200)))
        trips = cache._commands.round_trips
        found = await asyncio.gather(*(cache.get_many(user, [-100, -200]) for user in range(200)))
        assert found == [{-100: "member" if user % 2 else "left"} for user in range(200)]
        assert cache._commands.round_trips - trips < 10  # 200 lookups, a handful of pipelines


async def test_an_error_answered_to_one_caller_fails_that_caller_only() -> None:
    async with redis_namespace() as (client, prefix):
        batch = BatchedCommands(client, timeout=1.0)
        await client.set(f"{prefix}text", "x")
        good, bad = await asyncio.gather(
            batch.run([("SET", f"{prefix}a", "1"), ("GET", f"{prefix}a")], "good"),
            batch.run([("INCR", f"{prefix}text")], "bad"),  # not a number: Redis answers with an error
            return_exceptions=True,
        )
        assert good == [True, b"1"]
        assert isinstance(bad, ResponseError)
        assert batch.round_trips == 1


async def test_redis_away_fails_every_waiting_caller_in_time_with_what_it_was_doing() -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    batch = BatchedCommands(client, timeout=0.5)
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(batch.run([("GET", f"k{n}")], f"GET number {n}") for n in range(5)),
                           return_exceptions=True), 3)
    finally:
        await client.aclose()
    assert all(isinstance(r, RedisUnavailable) for r in results)
    assert [str(r).startswith(f"GET number {n}:") for n, r in enumerate(results)] == [True] * 5


async def test_a_caller_that_stops_waiting_does_not_disturb_the_others() -> None:
    async with redis_namespace() as (client, prefix):
        batch = BatchedCommands(client, timeout=1.0)
        leaving = asyncio.create_task(batch.run([("SET", f"{prefix}gone", "1")], "leaving"))
        staying = asyncio.create_task(batch.run([("SET", f"{prefix}kept", "1"), ("GET", f"{prefix}kept")], "staying"))
        await asyncio.sleep(0)
        leaving.cancel()
        assert await staying == [True, b"1"]
        with pytest.raises(asyncio.CancelledError):
            await leaving


async def test_announcements_of_one_turn_go_out_as_one_message_after_every_write_of_the_batch() -> None:
    async with redis_namespace() as (client, prefix):
        batch = BatchedCommands(client, timeout=1.0)
        channel = f"{prefix}news"
        pubsub = client.pubsub()
        await pubsub.subscribe(channel)
        try:
            replies = await asyncio.gather(*(
                batch.run([("SET", f"{prefix}k{n}", str(n))], f"SET {n}", announce=(channel, f"wrote {n}"))
                for n in range(3)
            ), batch.run([("SET", f"{prefix}quiet", "1")], "no announcement"))
            assert replies == [[True]] * 4  # each caller gets its own replies, the publish's not among them
            assert await messages_heard(pubsub, 0.3) == [b"wrote 0\nwrote 1\nwrote 2"]
            assert await client.mget([f"{prefix}k{n}" for n in range(3)]) == [b"0", b"1", b"2"]
        finally:
            await pubsub.aclose()


async def test_an_announcement_spanning_lines_is_refused_before_anything_is_sent() -> None:
    async with redis_namespace() as (client, prefix):
        batch = BatchedCommands(client, timeout=1.0)
        with pytest.raises(ValueError):
            await batch.run([("SET", f"{prefix}k", "1")], "two lines", announce=(f"{prefix}news", "a\nb"))
        assert batch.round_trips == 0 and await client.get(f"{prefix}k") is None
