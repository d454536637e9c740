"""Fixtures any test folder may use."""

import os

import pytest
import redis.asyncio as aioredis

REDIS_URL = "redis://127.0.0.1:6379/0"

# The CLI's Rich consoles read the width once, when their module is first imported, by whichever test imports it
# first: one width for the whole run keeps tables and sentences unwrapped however the tests are ordered or spread
# over processes.
os.environ["COLUMNS"] = "300"


@pytest.fixture
async def redis_up() -> None:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception:
        pytest.fail("this test needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    finally:
        await client.aclose()
