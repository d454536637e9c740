"""With Redis down or silent, the Redis adapters fail fast with RedisUnavailable instead of hanging an update."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from adapters.redis.errors import RedisUnavailable
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
