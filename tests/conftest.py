"""Fixtures any test folder may use."""

import pytest
import redis.asyncio as aioredis

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_up() -> None:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception:
        pytest.fail("this test needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    finally:
        await client.aclose()
