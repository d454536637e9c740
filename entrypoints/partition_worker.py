"""`chanwarden worker`: decides for the partitions it leases, and carries their decisions out through the gateway.

A worker is the bot's application (built by `entrypoints.run.build_container`, like `chanwarden run`) with
three differences: its Telegram port is the gateway, over Redis (`adapters/redis/telegram_calls.py`); its
reactor and sweeper take only the partitions it owns (`application/partitioned_reactor.py`); and its updates
come from the partitions' streams (`adapters/redis/update_streams.py`) instead of a Telegram connection.

For each partition it holds it reads the stream from the acknowledged offset, handles a batch (one member's
updates in order, members side by side), waits until every decision of the batch is recorded (first passes
recorded behind their answers included), and only then acknowledges it, fenced by its lease. A store outage
leaves the batch unacknowledged: the stream itself is the spool, kept in Redis for whichever worker owns the
partition next.
"""

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from functools import partial
from typing import Any

from adapters.redis.partition_lease import BEAT_SECONDS, PartitionLeases
from adapters.redis.telegram_calls import RemoteTelegram, bot_id_key
from adapters.redis.update_streams import UpdateStreams
from application.ownership import CONTROL, PARTITIONS, Partition, current_partition, member_of
from application.partitioned_reactor import PartitionedReactor
from application.ports.availability import Unavailable
from application.sweeper import Sweeper
from entrypoints.run import build_container
from infrastructure.backends import open_backends
from infrastructure.settings import Settings

log = logging.getLogger(__name__)

BATCH = 256
TICK_SECONDS = 0.2  # how soon another worker's records reach this worker's read models
RETRY_SECONDS = 1.0


class StreamIsTheSpool:
    """A worker keeps no spool of its own: a batch the store cannot take stays unacknowledged on the bus, where
    it survives this worker and reaches the partition's next owner. Refusing here makes the gate's update fail,
    so the batch is not acknowledged."""

    async def append(self, command: Any) -> None:
        raise Unavailable("the event store is away; the update stays on the bus")

    async def oldest(self) -> Any | None:
        return None

    async def remove_oldest(self) -> None:
        return None

    async def count(self) -> int:
        return 0

    async def close(self) -> None:
        return None


class ControlSweeper(Sweeper):
    """Re-deciding a group's members after a change to the group is the control partition's work."""

    def __init__(self, store: Any, ctx: Any, owned: Any) -> None:
        super().__init__(store, ctx)
        self._owned = owned

    async def catch_up(self) -> int:
        if CONTROL not in self._owned():
            return 0
        token = current_partition.set(CONTROL)
        try:
            return await super().catch_up()
        finally:
            current_partition.reset(token)


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def worker_settings(settings: Settings) -> Settings:
    # The Redis read models are kept by one follower process, not by every worker.
    return settings.model_copy(update={"shared_projection": "separate"})


class PartitionWorker:
    def __init__(self, settings: Settings, name: str | None = None, partitions: int = PARTITIONS,
                 clock: Any = None) -> None:
        self.settings = worker_settings(settings)
        self.name = name or worker_name()
        self.partitions = partitions
        self._clock = clock
        self._consumers: dict[Partition, asyncio.Task] = {}
        self._stopping: dict[Partition, asyncio.Event] = {}
        self.handled = 0
        self.backends: Any = None
        self.gatekeeper: Any = None

    async def open(self, bot_wait: float = 60.0) -> None:
        from redis.asyncio import Redis

        from adapters.system_clock import SystemClock

        clock = self._clock or SystemClock()
        self.backends = await open_backends(self.settings, clock)
        prefix = self.settings.redis_prefix
        self.client = Redis.from_url(self.settings.redis_url.get_secret_value())
        self.bus = UpdateStreams(self.client, prefix, self.partitions)
        self.leases = PartitionLeases(self.client, prefix, self.name, self.partitions)
        bot_id = await self._bot_id(bot_wait)
        held = self.leases.held
        self.telegram = RemoteTelegram(self.client, prefix, self.name, bot_id,
                                       lambda p: held[p].token if p in held else None)
        container = build_container(self.settings, self.backends, self.telegram)
        if self._clock is not None:
            from dependency_injector import providers

            container.clock.override(providers.Object(self._clock))
        owned = held.keys
        container.reactor.override(_factory(partial(PartitionedReactor, partitions=self.partitions, owned=owned)))
        container.sweeper.override(_factory(partial(ControlSweeper, owned=owned)))
        container.spool.override(_factory(StreamIsTheSpool()))
        self.container = container
        self.gatekeeper = container.gatekeeper()
        self.telegram.start()
        await self.gatekeeper.start()

    async def _bot_id(self, wait: float) -> int:
        deadline = asyncio.get_running_loop().time() + wait
        while (found := await self.client.get(bot_id_key(self.settings.redis_prefix))) is None:
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError("no gateway has started on this Redis prefix")
            await asyncio.sleep(0.2)
        return int(found)

    async def run(self, stop: asyncio.Event) -> None:
        ticker = asyncio.get_running_loop().create_task(self._tick(stop))
        try:
            while not stop.is_set():
                await self.beat()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), BEAT_SECONDS)
        finally:
            ticker.cancel()
            for partition in list(self._consumers):
                await self._let_go(partition)
            await self.leases.leave()

    async def beat(self) -> None:
        """Renew, give up what another worker should now own, take what this one should."""
        for partition in await self.leases.renew():
            log.warning("worker %s lost partition %s", self.name, partition)
            self._stop_consumer(partition, at_once=True)
        wanted = await self.leases.wanted()
        for partition in [p for p in self.leases.held if p not in wanted]:
            await self._let_go(partition)
        gained = False
        for partition in wanted:
            if partition not in self.leases.held and await self.leases.claim(partition) is not None:
                self._start_consumer(partition)
                gained = True
        if gained:
            await self.gatekeeper.pump.reactor.desk.load()  # the new partitions' warnings expire on time
            self.gatekeeper.pump.poke()

    async def _let_go(self, partition: Partition) -> None:
        self._stop_consumer(partition)
        task = self._consumers.pop(partition, None)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.leases.release(partition)

    def _start_consumer(self, partition: Partition) -> None:
        self._stopping[partition] = asyncio.Event()
        self._consumers[partition] = asyncio.get_running_loop().create_task(self._consume(partition))

    def _stop_consumer(self, partition: Partition, at_once: bool = False) -> None:
        if partition in self._stopping:
            self._stopping[partition].set()
        if at_once and partition in self._consumers:
            self._consumers.pop(partition).cancel()

    async def _consume(self, partition: Partition) -> None:
        token = current_partition.set(partition)
        stopping = self._stopping[partition]
        offset = await self.bus.offset(partition)
        try:
            while not stopping.is_set():
                entries = await self.bus.read(partition, offset, BATCH, block_ms=200)
                if not entries:
                    continue
                try:
                    await self._handle([command for _, command in entries])
                except Exception as error:  # the store away, or worse: nothing acknowledged, read again
                    log.warning("partition %s: a batch failed (%s: %s); it is read again", partition,
                                type(error).__name__, error)
                    await asyncio.sleep(RETRY_SECONDS)
                    continue
                holding = self.leases.held.get(partition)
                if holding is None or not await self.bus.acknowledge(
                        partition, entries[-1][0], self.leases.lease_key(partition), holding.token):
                    log.warning("partition %s moved to another worker; its batch is theirs", partition)
                    return
                offset = entries[-1][0]
                self.handled += len(entries)
        finally:
            current_partition.reset(token)

    async def _handle(self, commands: list[Any]) -> None:
        by_member: dict[Any, list[Any]] = {}
        for index, command in enumerate(commands):
            member = member_of(command)
            by_member.setdefault(member if member is not None else ("alone", index), []).append(command)

        async def in_order(mine: list[Any]) -> None:
            for command in mine:
                await self.gatekeeper.handle(command)

        results = await asyncio.gather(*(in_order(mine) for mine in by_member.values()), return_exceptions=True)
        await self.gatekeeper.ctx.settled()  # recordings made behind their answers are recorded too
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise failures[0]

    async def _tick(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(TICK_SECONDS)
            self.gatekeeper.pump.poke()

    async def close(self) -> None:
        if self.gatekeeper is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.gatekeeper.settle(), 20)
        if getattr(self, "telegram", None) is not None:
            await self.telegram.stop()
        if self.backends is not None:
            await self.backends.close()
        if getattr(self, "client", None) is not None:
            await self.client.aclose()


def _factory(value: Any) -> Any:
    from dependency_injector import providers

    return providers.Object(value)
