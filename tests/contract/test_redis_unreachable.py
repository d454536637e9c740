"""With Redis down or silent, the Redis adapters fail fast with RedisUnavailable instead of hanging an update."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.redis.errors import RedisUnavailable
from adapters.redis.layered_cache import LayeredMembershipCache
from adapters.redis.membership_cache import RedisMembershipCache
from adapters.redis.read_models import RedisReadModels
from adapters.system_clock import SystemClock

TIMEOUT = 0.1
SLACK = 0.3  # scheduling and teardown of the abandoned call


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never answers, like a Redis stuck behind a dead network path."""
    writers = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


def calls(client: Redis) -> list[Callable[[], Awaitable[object]]]:
    cache = RedisMembershipCache(client, SystemClock(), "chanwarden-test-down:", timeout=TIMEOUT)
    store = RedisReadModels(client, "chanwarden-test-down:", timeout=TIMEOUT)
    return [
        lambda: cache.get_many(1, [2]),
        lambda: cache.put(1, 2, "member"),
        cache.clear,
        lambda: store.group(-1),
        store.position,
        lambda: store.restricted(-1),
        lambda: store.apply(1, [], []),
        store.clear,
    ]


async def assert_fails_fast(client: Redis) -> None:
    try:
        for call in calls(client):
            started = time.monotonic()
            with pytest.raises(RedisUnavailable):
                await call()
            assert time.monotonic() - started < TIMEOUT + SLACK
    finally:
        await client.aclose()


async def test_a_refused_connection_fails_within_the_timeout() -> None:
    # No socket timeouts on the client: the adapters' own deadline must be enough.
    await assert_fails_fast(Redis(host="127.0.0.1", port=1))


async def test_a_server_that_never_answers_fails_within_the_timeout() -> None:
    async with silent_server() as port:
        await assert_fails_fast(Redis(host="127.0.0.1", port=port))


@asynccontextmanager
async def slow_redis(delay: float) -> AsyncIterator[int]:
    """The real Redis behind a proxy whose answers come `delay` seconds late, like a client's busy event loop."""
    tasks: list[asyncio.Task] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, late: float) -> None:
        while data := await reader.read(65536):
            await asyncio.sleep(late)
            writer.write(data)
            await writer.drain()
        writer.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", 6379)
        tasks.append(asyncio.current_task())
        await asyncio.gather(pipe(reader, upstream_writer, 0.0), pipe(upstream_reader, writer, delay),
                             return_exceptions=True)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in tasks:
            task.cancel()


def layered_on(client: Redis, prefix: str) -> LayeredMembershipCache:
    clock = SystemClock()
    return LayeredMembershipCache(InMemoryMembershipCache(clock),
                                  RedisMembershipCache(client, clock, prefix, timeout=TIMEOUT))


async def test_a_write_behind_answered_late_is_written_not_an_outage() -> None:
    async with slow_redis(TIMEOUT * 3) as port:
        client = Redis(host="127.0.0.1", port=port)
        prefix = f"chanwarden-test-slow-{time.monotonic_ns()}:"
        try:
            cache = layered_on(client, prefix)
            await cache.put(1, 2, "member")
            await cache.put_many(2, [(3, "member"), (4, "left")])
            await cache.flushed()
            behind = cache._second.behind
            assert behind.error is None and behind.written == 3 and behind.lost == 0
            await cache.put(5, 2, "member")  # no outage was seen, so nothing waits for Redis
        finally:
            await client.delete(*[f"{prefix}membership:{user}:2" for user in (1, 3, 4, 5)])
            await client.aclose()


async def test_after_a_failed_write_a_put_waits_no_longer_than_a_read_would() -> None:
    async with silent_server() as port:
        client = Redis(host="127.0.0.1", port=port)
        try:
            cache = layered_on(client, "chanwarden-test-down:")
            await cache.put(1, 2, "member")  # memory holds it at once; Redis never answers the write
            await cache.flushed()
            assert isinstance(cache._second.behind.error, RedisUnavailable)
            started = time.monotonic()
            with pytest.raises(RedisUnavailable):
                await cache.put(1, 3, "member")
            assert time.monotonic() - started < TIMEOUT + SLACK
            assert await cache._first.get_many(1, [2, 3]) == {2: "member", 3: "member"}
        finally:
            await client.aclose()
