"""The Redis client of a scale-out process: a blocking pool, so a burst of calls waits for a connection
instead of failing with "too many connections" (each partition's reader holds one while it blocks)."""

from typing import Any

CONNECTIONS = 256
WAIT_SECONDS = 10.0


def bus_client(url: str) -> Any:
    from redis.asyncio import BlockingConnectionPool, Redis

    return Redis(connection_pool=BlockingConnectionPool.from_url(url, max_connections=CONNECTIONS,
                                                                 timeout=WAIT_SECONDS))
