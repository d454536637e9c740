"""The read models contract on Redis, plus what only Redis promises: stale batches and torn writes never land."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from read_models_contract import ReadModelsContract, group, verdict
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError
from redis_fixtures import REDIS_URL, keys_under, redis_namespace

from adapters.redis.errors import RedisUnavailable
from adapters.redis.read_models import RedisReadModels


class TestRedisReadModels(ReadModelsContract):
    @asynccontextmanager
    async def make(self) -> AsyncIterator[RedisReadModels]:
        async with redis_namespace() as (client, prefix):
            yield RedisReadModels(client, prefix)


async def test_a_batch_at_or_below_the_stored_position_is_ignored() -> None:
    async with redis_namespace() as (client, prefix):
        store = RedisReadModels(client, prefix)
        await store.apply(5, [group(-1, -100)], [])
        await store.apply(3, [group(-1, -200)], [verdict(-1, 4)])
        await store.apply(5, [group(-2, -100)], [])
        assert await store.position() == 5
        assert await store.groups_for_channel(-100) == [-1]
        assert await store.groups_for_channel(-200) == []
        assert await store.verdict(-1, 4) is None
        assert await store.group(-2) is None


async def test_two_writers_of_one_position_apply_it_once() -> None:
    async with redis_namespace() as (client, prefix):
        store = RedisReadModels(client, prefix)
        await asyncio.gather(store.apply(6, [group(-1, -100)], []), store.apply(6, [group(-2, -100)], []))
        assert await store.position() == 6
        assert len(await store.groups_for_channel(-100)) == 1


class _LostBeforeExec(Pipeline):
    """Sends MULTI and every queued write, sees each one QUEUED, then loses the connection before EXEC."""

    async def execute(self, raise_on_error: bool = True) -> list:
        connection = self.connection
        commands = [("MULTI",), *(args for args, _ in self.command_stack)]
        await connection.send_packed_command(connection.pack_commands(commands))
        replies = [await connection.read_response() for _ in commands]
        assert replies == [b"OK"] + [b"QUEUED"] * (len(commands) - 1)
        await connection.disconnect()
        await self.reset()
        raise ConnectionError("connection lost before EXEC")


class _CrashingRedis(Redis):
    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        return _LostBeforeExec(self.connection_pool, self.response_callbacks, transaction, shard_hint)


async def _answers(store: RedisReadModels) -> tuple:
    return (
        await store.position(),
        [await store.group(c) for c in (-1, -3)],
        [await store.groups_for_channel(c) for c in (-100, -200)],
        [await store.verdict(-1, m) for m in (4, 9)],
        await store.restricted(-1),
    )


async def test_a_batch_torn_by_a_lost_connection_leaves_no_trace() -> None:
    async with redis_namespace() as (client, prefix):
        store = RedisReadModels(client, prefix)
        await store.apply(1, [group(-1, -100)], [verdict(-1, 4)])
        before, keys_before = await _answers(store), await keys_under(client, prefix)
        batch = [group(-1, -200), group(-3, -200)], [verdict(-1, 4, "released"), verdict(-1, 9)]

        crashing = _CrashingRedis.from_url(REDIS_URL)
        try:
            with pytest.raises(RedisUnavailable):
                await RedisReadModels(crashing, prefix).apply(2, *batch)
        finally:
            await crashing.aclose()

        assert await _answers(store) == before
        assert await keys_under(client, prefix) == keys_before
        await store.apply(2, *batch)  # the replay after the crash lands, once
        assert await store.position() == 2
        assert await store.groups_for_channel(-200) == [-3, -1]
        assert await store.restricted(-1) == [verdict(-1, 9)]


async def test_clear_leaves_keys_outside_its_namespace() -> None:
    async with redis_namespace() as (client, prefix):
        await client.set(f"{prefix}membership:1:1", "member")
        store = RedisReadModels(client, prefix)
        await store.apply(1, [group(-1, -100)], [verdict(-1, 4)])
        await store.clear()
        assert await keys_under(client, prefix) == [f"{prefix}membership:1:1".encode()]
