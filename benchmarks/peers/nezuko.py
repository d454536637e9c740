"""Nezuko as a process: its own PostgreSQL database and Redis db (created and dropped), started at the server.

PostgreSQL is required by Nezuko (it creates its tables at start); Redis holds its membership cache under
unprefixed keys (`verify:{user}:{channel}`), so it gets a Redis db of its own, found empty and emptied after.
"""

import asyncio
import os
import secrets
import tempfile
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

from adapters.simulated_telegram.botapi.ids import api_chat_id
from benchmarks.peers.bot_process import BotProcess
from benchmarks.peers.nezuko_env import NezukoUnavailable, ensure

POSTGRES = os.environ.get("CHANWARDEN_PEER_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("CHANWARDEN_PEER_REDIS", "redis://127.0.0.1:6379")
REDIS_DBS = range(15, 7, -1)  # the high dbs, which nothing of chanwarden uses; one found empty is taken
_CLAIM = "chanwarden:peer-claim"


class Nezuko(BotProcess):
    name = "nezuko"

    def __init__(self) -> None:
        super().__init__()
        self.python: str | None = None
        self.source: Path | None = None
        self.database = f"nezuko_{os.getpid()}_{secrets.token_hex(3)}"
        self.redis_db: int | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="chanwarden-nezuko-")
        self.log_path = Path(self._tmp.name) / "nezuko.log"

    async def prepare(self) -> None:
        self.python, self.source = await asyncio.to_thread(ensure)
        try:
            admin = await asyncpg.connect(f"{POSTGRES}/postgres")
        except (OSError, asyncpg.PostgresError) as error:
            raise NezukoUnavailable(f"Nezuko needs PostgreSQL at {POSTGRES}: {error}") from None
        try:
            await admin.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            await admin.close()
        self.redis_db = await _claim_redis_db()

    def command(self, base_url: str, token: str) -> tuple[list[str], dict[str, str], str | None]:
        env = {"BOT_TOKEN": token, "NEZUKO_BASE_URL": base_url, "ENVIRONMENT": "production",
               "DATABASE_URL": f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{self.database}",
               "REDIS_URL": f"{REDIS}/{self.redis_db}", "PYTHONUNBUFFERED": "1", "SENTRY_DSN": ""}
        return [self.python, "nezuko_launch.py"], env, str(self.source)

    async def tables_ready(self, timeout: float = 60.0) -> None:
        """Until Nezuko has created its tables (it does so at start), or it stopped."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            connection = await asyncpg.connect(f"{POSTGRES}/{self.database}")
            try:
                if await connection.fetchval("SELECT to_regclass('public.group_channel_links') IS NOT NULL"):
                    return
            finally:
                await connection.close()
            if not self.running or asyncio.get_running_loop().time() > deadline:
                raise NezukoUnavailable(f"Nezuko did not create its tables; its log: {self.tail()}")
            await asyncio.sleep(0.2)

    async def seed(self, groups: dict[int, list[int]], admins: dict[int, int], titles: dict[int, str],
                   usernames: dict[int, str | None]) -> None:
        """Protected groups and their channels as rows in Nezuko's own tables (its /protect links one channel;
        the same rows are what /protect writes, one per channel)."""
        connection = await asyncpg.connect(f"{POSTGRES}/{self.database}")
        try:
            async with connection.transaction():
                for owner in set(admins.values()):
                    await connection.execute("INSERT INTO owners (user_id, created_at, updated_at) "
                                             "VALUES ($1, now(), now()) ON CONFLICT DO NOTHING", owner)
                channels = {c for cs in groups.values() for c in cs}
                for channel in channels:
                    await connection.execute(
                        "INSERT INTO enforced_channels (channel_id, title, username, subscriber_count, created_at,"
                        " updated_at) VALUES ($1, $2, $3, 0, now(), now()) ON CONFLICT DO NOTHING",
                        api_chat_id(channel), titles[channel], usernames[channel])
                for group, linked in groups.items():
                    await connection.execute(
                        "INSERT INTO protected_groups (group_id, owner_id, title, enabled, params, member_count,"
                        " created_at, updated_at) VALUES ($1, $2, $3, true, '{}', 0, now(), now())",
                        api_chat_id(group), admins[group], titles[group])
                    for channel in linked:
                        await connection.execute(
                            "INSERT INTO group_channel_links (group_id, channel_id, created_at) "
                            "VALUES ($1, $2, now())", api_chat_id(group), api_chat_id(channel))
        finally:
            await connection.close()

    async def forget_cache(self) -> None:
        """Its Redis db emptied: what its cache TTLs (600 s / 60 s) would have done after the settle time."""
        client = aioredis.from_url(f"{REDIS}/{self.redis_db}")
        try:
            await client.flushdb()
            await client.set(_CLAIM, "1")
        finally:
            await client.aclose()

    async def cleanup(self) -> None:
        await self.stop()
        if self.redis_db is not None:
            client = aioredis.from_url(f"{REDIS}/{self.redis_db}")
            try:
                await client.flushdb()
            finally:
                await client.aclose()
        admin = await asyncpg.connect(f"{POSTGRES}/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            await admin.close()
        self._tmp.cleanup()

    def tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(line[-200:] for line in text[-lines:])


async def _claim_redis_db() -> int:
    for db in REDIS_DBS:
        client = aioredis.from_url(f"{REDIS}/{db}")
        try:
            if await client.dbsize() == 0 and await client.set(_CLAIM, str(os.getpid()), nx=True):
                return db
        finally:
            await client.aclose()
    raise NezukoUnavailable("no empty Redis db (8-15) is free for Nezuko's unprefixed keys")
