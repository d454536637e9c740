"""The standing directory store contract, in this process and in Redis."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis_fixtures import redis_namespace
from standing_store_contract import StandingStoreContract

from adapters.memory.standing_directory import InMemoryStandingStore
from adapters.redis.standing_directory import RedisStandingStore


class TestInMemoryStandingStore(StandingStoreContract):
    @asynccontextmanager
    async def make(self) -> AsyncIterator[InMemoryStandingStore]:
        yield InMemoryStandingStore()


class TestRedisStandingStore(StandingStoreContract):
    @asynccontextmanager
    async def make(self) -> AsyncIterator[RedisStandingStore]:
        async with redis_namespace() as (client, prefix):
            yield RedisStandingStore(client, prefix)
