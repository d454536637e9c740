"""`chanwarden worker`: decides for the partitions it leases, and carries their decisions out through the gateway.

A worker is the bot's application (built by `infrastructure.bootstrap`, like `chanwarden run`) with
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

from adapters.redis.bus_client import bus_client
from adapters.redis.partition_lease import BEAT_SECONDS, PartitionLeases
from adapters.redis.telegram_calls import RemoteTelegram, bot_id_key
from adapters.redis.update_streams import UpdateStreams
from application.commands import GroupMessage
from application.handlers.group_message import one_run
from application.log_poster import LogPoster
from application.log_window import LogWindow
from application.ownership import CONTROL, PARTITIONS, Partition, current_partition, member_of
from application.partitioned_reactor import PartitionedReactor
from application.ports.availability import Unavailable
from application.sweeper import Sweeper
from infrastructure.backends import open_backends
from infrastructure.bootstrap import bootstrap
from infrastructure.observability.scale_out import serve_scale_out_endpoints
from infrastructure.settings import Settings

log = logging.getLogger(__name__)

BATCH = 64  # entries read at once from a partition
IN_HAND = 256  # updates of one partition being decided at once (each member's in order)
BUSY_POLL_MS = 20  # while updates are in hand, how long a read waits for more before acknowledging again
IDLE_POLL_MS = 500
TICK_SECONDS = 0.2  # how soon another worker's records reach this worker's read models
RETRY_SECONDS = 1.0
STOP_SECONDS = 20.0


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


async def in_control(owned: Any, catch_up: Any) -> int:
    """A follower's pass, run only while this worker holds the control partition, fenced by its lease."""
    if CONTROL not in owned():
        return 0
    token = current_partition.set(CONTROL)
    try:
        return await catch_up()
    finally:
        current_partition.reset(token)


class ControlSweeper(Sweeper):
    """Re-deciding a group's members after a change to the group is the control partition's work."""

    def __init__(self, store: Any, ctx: Any, owned: Any) -> None:
        super().__init__(store, ctx)
        self._owned = owned

    async def catch_up(self) -> int:
        return await in_control(self._owned, super().catch_up)


class ControlLogPoster(LogPoster):
    """Posting to the log channels is the control partition's work too: one worker at a time posts, and its
    calls go to the gateway fenced by that partition's lease. Exactly-once does not rest on the lease alone: the
    batches are planned in the log with their key, so the next holder sends again only what was not confirmed,
    and Telegram refuses a repeat as a duplicate."""

    def __init__(self, store: Any, ctx: Any, owned: Any) -> None:
        super().__init__(store, ctx)
        self._owned = owned

    async def catch_up(self) -> int:
        return await in_control(self._owned, super().catch_up)


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
        self.endpoints: Any = None
        self.gauges: Any = None

    async def open(self, bot_wait: float = 60.0) -> None:
        from adapters.system_clock import SystemClock

        clock = self._clock or SystemClock()
        self.backends = await open_backends(self.settings, clock)
        prefix = self.settings.redis_prefix
        self.client = bus_client(self.settings.redis_url.get_secret_value())
        self.bus = UpdateStreams(self.client, prefix, self.partitions)
        # A client of its own: renewing leases must never queue behind hundreds of calls for a connection.
        self.lease_client = bus_client(self.settings.redis_url.get_secret_value())
        self.leases = PartitionLeases(self.lease_client, prefix, self.name, self.partitions)
        self.leases.renew_in_thread(self.settings.redis_url.get_secret_value())
        bot_id = await self._bot_id(bot_wait)
        held = self.leases.held
        self.telegram = RemoteTelegram(self.client, prefix, self.name, bot_id,
                                       lambda p: held[p].token if p in held else None)
        owned = held.keys
        application = bootstrap(
            self.settings, gateway=self.telegram, clock=self._clock, backends=self.backends,
            reactor=partial(PartitionedReactor, partitions=self.partitions, owned=owned),
            sweeper=partial(ControlSweeper, owned=owned), log_poster=partial(ControlLogPoster, owned=owned),
            update_spool=StreamIsTheSpool())
        self.gatekeeper = await application.build()
        self.telegram.start()
        await self.gatekeeper.start()
        self.endpoints, self.gauges = await serve_scale_out_endpoints(
            self.settings, application.telemetry, self.backends, application.health)

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
            try:  # bounded: with the store away, updates in hand may never finish; they stay unacknowledged
                await asyncio.wait_for(self._let_go_all(), STOP_SECONDS)
            except TimeoutError:
                log.warning("worker %s stopped with updates in hand; the next owner handles them again", self.name)
                for task in self._consumers.values():
                    task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.leases.leave(), 5)

    async def _let_go_all(self) -> None:
        for partition in list(self._consumers):
            await self._let_go(partition)

    async def beat(self) -> None:
        """Renew, give up what another worker should now own, take what this one should."""
        for partition in await self.leases.renew():
            log.warning("worker %s lost partition %s", self.name, partition)
            self._stop_consumer(partition, at_once=True)
        wanted = await self.leases.wanted()
        if self.gauges is not None:
            self.gauges.owned = {str(p) for p in self.leases.held}
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
        """Read on while earlier updates are still being decided (a Verify press may wait seconds for Telegram's
        limits; the members behind it must not), one member's updates in order, and acknowledge only the
        updates up to the first one still undecided (`LogWindow`, as the reactor does with the log)."""
        token = current_partition.set(partition)
        stopping = self._stopping[partition]
        try:
            while not stopping.is_set():
                if await self._consume_from(partition, await self.bus.offset(partition), stopping):
                    return
                await asyncio.sleep(RETRY_SECONDS)  # an update failed: read again from the acknowledged offset
        finally:
            current_partition.reset(token)

    async def _consume_from(self, partition: Partition, offset: str, stopping: asyncio.Event) -> bool:
        """True when done with the partition (stopped, or it moved away); False after a failed update."""
        window, ids, sequence, read_after = LogWindow(0, IN_HAND), {}, 0, offset
        try:
            while True:
                if stopping.is_set() and window.idle:
                    return True
                entries = [] if window.full or stopping.is_set() else await self.bus.read(
                    partition, read_after, BATCH, block_ms=BUSY_POLL_MS if not window.idle else IDLE_POLL_MS)
                for entry_id, command in entries:
                    sequence += 1
                    ids[sequence] = entry_id
                    window.passed(sequence, self._decide(window, sequence, command))
                if entries:
                    read_after = entries[-1][0]
                if window.advance():
                    holding = self.leases.held.get(partition)
                    if holding is None or not await self.bus.acknowledge(
                            partition, ids[window.position], self.leases.lease_key(partition), holding.token):
                        log.warning("partition %s moved to another worker; what it had in hand is theirs", partition)
                        window.cancel()
                        return True
                    done = [n for n in ids if n <= window.position]
                    self.handled += len(done)
                    for n in done:
                        del ids[n]
                if (failure := window.failure) is not None:
                    log.warning("partition %s: an update failed (%s: %s); reading again from the last acknowledged",
                                partition, type(failure).__name__, failure)
                    await window.settle()
                    return False
                if window.full or (stopping.is_set() and not window.idle):
                    await window.wait()
        except asyncio.CancelledError:
            window.cancel()
            raise

    def _decide(self, window: LogWindow, sequence: int, command: Any) -> asyncio.Task:
        """A member's updates are decided in order; their messages queued behind a slow decision, together."""
        member = member_of(command)
        if member is None:
            return window.start(("alone", sequence), partial(self.gatekeeper.handle, command))
        if isinstance(command, GroupMessage):
            return window.gather(member, command, self.gatekeeper.handle_run, one_run)
        return window.start(member, partial(self.gatekeeper.handle, command))

    async def _tick(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(TICK_SECONDS)
            self.gatekeeper.pump.poke()

    async def close(self) -> None:
        if self.gatekeeper is not None:
            with contextlib.suppress(Exception, TimeoutError):
                await asyncio.wait_for(self.gatekeeper.settle(), 10)
        if getattr(self, "telegram", None) is not None:
            await self.telegram.stop()
        if self.endpoints is not None:
            await self.endpoints.close()
        if self.backends is not None:
            await self.backends.close()
        for client in (getattr(self, "client", None), getattr(self, "lease_client", None)):
            if client is not None:
                await client.aclose()


