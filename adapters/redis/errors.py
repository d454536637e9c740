"""How a Redis failure reaches the application: one exception type, raised within a known time."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from redis import exceptions

from application.ports.availability import Unavailable

T = TypeVar("T")


class RedisUnavailable(Unavailable):
    """Redis did not answer in time or the connection failed; nothing is known about the write's fate."""


async def bounded(call: Awaitable[T], timeout: float, what: str) -> T:
    """Await one Redis call, but never longer than `timeout`.

    redis-py retries refused connections with backoff and, without socket timeouts, waits forever on a
    server that accepted but never answers. The gate must rather fall back than stall an update, so the
    whole call (retries included) gets one deadline and every failure becomes RedisUnavailable.
    """
    try:
        return await asyncio.wait_for(call, timeout)
    except TimeoutError as error:
        raise RedisUnavailable(f"{what}: no answer from Redis within {timeout}s") from error
    except (exceptions.ConnectionError, exceptions.TimeoutError, OSError) as error:
        raise RedisUnavailable(f"{what}: {error}") from error
