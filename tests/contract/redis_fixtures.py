"""A private key prefix on the test Redis for each test, removed afterwards."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.redis import unlink_under

REDIS_URL = os.environ.get("CHANWARDEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@asynccontextmanager
async def redis_namespace() -> AsyncIterator[tuple[Redis, str]]:
    """A client and a random prefix; every key under the prefix is deleted when the test ends."""
    client = Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        await client.aclose()
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"chanwarden-test-{uuid.uuid4().hex}:"
    try:
        yield client, prefix
    finally:
        await unlink_under(client, prefix, timeout=5)
        await client.aclose()


async def keys_under(client: Redis, prefix: str) -> list[bytes]:
    return sorted([key async for key in client.scan_iter(match=prefix + "*")])


async def messages_heard(pubsub: Any, seconds: float) -> list[bytes]:
    """Every published message a subscribed pubsub receives within `seconds` (confirmations left out)."""
    heard: list[bytes] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=min(left, 0.05))
        if message is not None and message["type"] == "message":
            heard.append(message["data"])
    return heard
