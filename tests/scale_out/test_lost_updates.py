"""The gateway's Telegram connection lost updates for good: every worker's standing directory is doubted."""

import asyncio

import pytest
from pydantic import SecretStr

from adapters.redis.standing_directory import RedisStandingStore
from entrypoints.gateway import doubting_directories
from infrastructure.settings import Settings
from tests.contract.redis_fixtures import REDIS_URL, redis_namespace

GROUP, OTHER = 2001, 2002


@pytest.mark.parametrize("lost", [GROUP, None])
async def test_lost_updates_doubt_the_directories_in_redis(lost: int | None) -> None:
    async with redis_namespace() as (client, prefix):
        store = RedisStandingStore(client, prefix)
        for chat in (GROUP, OTHER):
            await store.begin_fill(chat, "t")
            await store.finish_fill(chat, "t", {})
        settings = Settings(redis_url=SecretStr(REDIS_URL), redis_prefix=prefix)
        doubting_directories(settings)(lost)
        # The doubt is written behind, a directory at a time: wait until every directory it reaches is doubted
        # (both when all are lost), rather than judging the second the moment the first shows it.
        for _ in range(100):
            group, other = await store.lookup(GROUP, 1), await store.lookup(OTHER, 1)
            if not group.complete and (lost is not None or not other.complete):
                break
            await asyncio.sleep(0.02)
        assert not (await store.lookup(GROUP, 1)).complete
        assert (await store.lookup(OTHER, 1)).complete == (lost is not None)
