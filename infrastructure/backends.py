"""Opens the configured event store, cache and shared read models, and closes them again."""

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.memory.spool import InMemorySpool
from adapters.sqlite.guarded import open_guarded as open_guarded_sqlite
from adapters.sqlite.lease import FileLease, lease_file
from adapters.sqlite.spool import SqliteSpool
from application.ports.clock import Clock
from infrastructure.log_chain import Linker
from infrastructure.observability.cache import CacheStats, counting
from infrastructure.settings import Settings

LISTENER_STOP_SECONDS = 3.0
REDIS_CONNECTIONS = 32
REDIS_WAIT = 5.0  # seconds to wait for a free connection before Redis counts as unavailable


@dataclass
class Backends:
    store: Any
    cache: Any = None  # None: the container's in-process cache
    spool: Any = None  # None: the container's in-memory spool (runs that are never short of a store)
    standing: Any = None  # the groups' standing directories; None: the container's in-process ones
    shared_read_models: dict[str, Any] = field(default_factory=dict)
    # Live checks for /readyz: `probes` must answer for the bot to be ready; `degradable` may fail (it degrades).
    probes: dict[str, Any] = field(default_factory=dict)
    degradable: dict[str, Any] = field(default_factory=dict)
    cache_stats: CacheStats | None = None  # hit and miss counts of the cache levels opened here
    _closers: list[Any] = field(default_factory=list)
    _tasks: list[asyncio.Task] = field(default_factory=list)

    async def close(self) -> None:
        if hasattr(self.cache, "stop"):
            self.cache.stop()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, LISTENER_STOP_SECONDS)
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                await closer()


def isolated(settings: Settings) -> Settings:
    """The same settings with a database and key prefix of their own, for one throw-away run."""
    run = uuid.uuid4().hex[:12]
    parts = urlsplit(settings.postgres_dsn.get_secret_value())
    dsn = urlunsplit(parts._replace(path=f"/chanwarden_run_{run}"))
    prefix = f"{settings.redis_prefix}run-{run}:"
    return settings.model_copy(update={"postgres_dsn": SecretStr(dsn), "redis_prefix": prefix})


async def open_backends(
    settings: Settings, clock: Clock, *, throwaway: bool = False, spool: bool = False, membership_cache: bool = True
) -> Backends:
    """Open what the settings name. With `throwaway`, a run's database and Redis keys are removed on close;
    with `spool`, the spool the gate keeps updates in while the store is away (only a bot needs one); without
    `membership_cache`, Redis serves only the shared read models (the operators' tools and the follower, which
    check no membership and so need not listen for other instances' cache announcements)."""
    backends = Backends(store=await open_store(settings), cache_stats=CacheStats() if settings.instrument else None)
    # Looked up when closing: a restart in the simulator replaces the store and the spool objects.
    backends._closers.append(lambda: backends.store.close())
    if spool:
        backends.spool = open_spool(settings)
        backends._closers.append(lambda: backends.spool.close())
    # Looked up at each check: a restart in the simulator replaces the store object.
    backends.probes["event_store"] = lambda: backends.store.last_position()
    if settings.event_store == "postgres" and throwaway:
        from adapters.postgres import drop_database

        # Closers run last-first: the pool is closed before its database is dropped.
        backends._closers.insert(0, lambda: drop_database(settings.postgres_dsn.get_secret_value()))
    if settings.cache == "redis":
        await _open_redis(settings, clock, backends, throwaway, membership_cache)
    return backends


async def open_store(settings: Settings) -> Any:
    """The configured store behind its guard, linking its log chain with the audit key when one is set;
    StoreUnavailable (an Unavailable) while it cannot be reached."""
    linker = Linker.of(settings.audit_key)
    if settings.event_store == "memory":
        return InMemoryEventStore(linker=linker)
    if settings.event_store == "sqlite":
        return open_guarded_sqlite(settings.sqlite_path, linker)
    from adapters.postgres.guarded import open_guarded

    return await open_guarded(settings.postgres_dsn.get_secret_value(), linker=linker)


def open_lease(settings: Settings) -> Any | None:
    """The lease that makes this process its store's one active bot; None for the memory store (nothing shared)."""
    if settings.event_store == "memory":
        return None
    if settings.event_store == "sqlite":
        return FileLease(lease_file(settings.sqlite_path))
    from adapters.postgres.lease import PostgresLease

    return PostgresLease(settings.postgres_dsn.get_secret_value())


def open_spool(settings: Settings) -> Any:
    """Where updates wait while the store is away: a file beside the session, unless nothing else outlives the
    process either (the memory store)."""
    if settings.event_store == "memory":
        return InMemorySpool()
    return SqliteSpool(settings.spool_file)


async def _open_redis(
    settings: Settings, clock: Clock, backends: Backends, throwaway: bool, membership_cache: bool
) -> None:
    from redis.asyncio import BlockingConnectionPool, Redis

    from adapters.redis import unlink_under
    from adapters.redis.layered_cache import LayeredMembershipCache
    from adapters.redis.membership_cache import RedisMembershipCache
    from adapters.redis.read_models import RedisReadModels
    from adapters.redis.standing_directory import RedisStandingStore

    # A blocking pool: with hundreds of updates in flight, callers wait their turn for a connection instead
    # of failing with "too many connections" and being retried as if Redis were away.
    pool = BlockingConnectionPool.from_url(
        settings.redis_url.get_secret_value(), max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT
    )
    client = Redis(connection_pool=pool)
    prefix = settings.redis_prefix
    backends.shared_read_models["redis"] = RedisReadModels(client, prefix)
    backends.degradable["redis"] = client.ping

    async def close_client() -> None:
        if throwaway:
            await unlink_under(client, prefix, 5.0)
        await client.aclose(close_connection_pool=True)

    backends._closers.insert(0, close_client)
    if not membership_cache:
        return
    backends.standing = RedisStandingStore(client, prefix)  # every deciding process reads the same directories
    ttl = {"positive_ttl": settings.cache_positive_ttl, "negative_ttl": settings.cache_negative_ttl,
           "jitter": settings.cache_jitter}
    # The in-process level keeps entries as long as Redis does: it is dropped whenever announcements from
    # other instances may have been missed (see LayeredMembershipCache.listen).
    first = InMemoryMembershipCache(clock, **ttl)
    stats = backends.cache_stats
    second = RedisMembershipCache(client, clock, prefix, **ttl)
    layered = LayeredMembershipCache(counting(first, "memory", stats), counting(second, "redis", stats))
    backends.cache = layered
    backends._closers.append(layered.flushed)  # statuses still on their way to Redis land before it closes
    if stats is not None:
        layered.watch_writes(lambda error: stats.failures.update(redis=error is not None))
    backends._tasks.append(asyncio.get_running_loop().create_task(layered.listen()))
