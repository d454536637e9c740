"""`chanwarden gateway`: the one process connected to Telegram, when deciding is spread over workers.

Telegram gives a bot one update stream and one set of sending limits, so only one process may hold the
connection: the one holding the gateway lease (`adapters/postgres/gateway_lease.py`). Others stand by,
trying every STANDBY_SECONDS, and the first to take the lease after the holder dies carries on: it claims
the calls the dead gateway took and never answered, and Telegram's catch-up (the update state in the shared
session file, saved only up to what was published) delivers what the dead one never published.

It does two things. Every update, once Telethon's adapter has turned it into a gate command, is published on
the bus (`adapters/redis/update_streams.py`) before it counts as handled. Every call the workers ask for is
carried out through the one priority rate limiter (`adapters/redis/telegram_calls.py`), so the bot's shared
budget is spent in one place and a Verify press still goes first.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.postgres.gateway_lease import GatewayLease
from adapters.ratelimit.scheduler import PriorityScheduler
from adapters.redis.bus_client import bus_client
from adapters.redis.standing_directory import RedisStandingStore
from adapters.redis.telegram_calls import CallDesk, StaleGateway, bot_id_key
from adapters.redis.update_streams import UpdateStreams
from application.ownership import PARTITIONS
from infrastructure.bootstrap import Application, bootstrap
from infrastructure.observability.scale_out import serve_scale_out_endpoints
from infrastructure.settings import Settings

log = logging.getLogger(__name__)

STANDBY_SECONDS = 0.5
WATCH_SECONDS = 1.0


class LeaseLost(Exception):
    """The gateway lease is no longer certainly ours: stop at once."""


class Gateway:
    """The gateway's work once it holds the lease; `adapter` is the Telegram port (Telethon, or the simulator)."""

    def __init__(self, settings: Settings, adapter: Any, partitions: int = PARTITIONS, limited: bool = True) -> None:
        self.settings = settings
        self.limited = limited  # False: no rate limiter (the benchmark's simulated Telegram, as `chanwarden bench`)
        self.adapter = adapter
        self.partitions = partitions
        self.lease: GatewayLease | None = None
        self.desk: CallDesk | None = None
        self.bus: UpdateStreams | None = None
        self.took_over_at: float | None = None
        self.published = 0
        self._client: Any = None
        self._application: Application | None = None
        self.endpoints: Any = None
        self.gauges: Any = None
        self._watching: asyncio.Task | None = None

    async def stand_by(self, stop: asyncio.Event) -> bool:
        """Until this process holds the lease (True) or `stop` is set (False)."""
        self.lease = GatewayLease(self.settings.postgres_dsn.get_secret_value())
        while not stop.is_set():
            try:
                if await self.lease.acquire():
                    self.took_over_at = time.monotonic()
                    log.info("gateway lease taken (epoch %s)", self.lease.epoch)
                    return True
            except Exception as error:  # the store away: a standby keeps trying
                log.warning("gateway lease not reachable (%s); trying again", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), STANDBY_SECONDS)
        return False

    async def open(self) -> None:
        assert self.lease is not None and self.lease.epoch is not None
        prefix = self.settings.redis_prefix
        self._client = bus_client(self.settings.redis_url.get_secret_value())
        # The same wiring as the bot's: instrumentation inside the one limiter every worker's call passes.
        self._application = bootstrap(self.settings, gateway=self.adapter,
                                      rate_limiter=PriorityScheduler() if self.limited else None)
        telegram = await self._application.outbound()
        self.desk = CallDesk(self._client, prefix, telegram, self.lease.epoch)
        await self.desk.take_over()
        self.bus = UpdateStreams(self._client, prefix, self.partitions)
        await self._client.set(bot_id_key(prefix), self.adapter.bot_id)
        self.endpoints, self.gauges = await serve_scale_out_endpoints(
            self.settings, self._application.telemetry, None, self._application.health)
        if self.gauges is not None:
            self._watching = asyncio.get_running_loop().create_task(self._watch(self.gauges))

    async def _watch(self, gauges: Any) -> None:
        """The gauges follow the bus and the desk, once a second (a scrape then costs no Redis query)."""
        assert self.bus is not None and self.desk is not None
        while True:
            with contextlib.suppress(Exception):
                gauges.lag = await self.bus.lag()
            gauges.calls = {"carried_out": self.desk.carried_out, "refused": self.desk.refused}
            await asyncio.sleep(WATCH_SECONDS)

    @property
    def telemetry(self) -> Any:
        return self._application.telemetry if self._application is not None else None

    async def publish(self, command: Any) -> None:
        assert self.bus is not None
        await self.bus.publish(command)
        self.published += 1

    async def publish_many(self, commands: list[Any]) -> None:
        """Updates that arrived together, in one round trip (Telethon's catch-up, a simulator's outbox)."""
        assert self.bus is not None
        await self.bus.publish_many(commands)
        self.published += len(commands)

    async def serve(self, stop: asyncio.Event) -> None:
        """Carry the workers' calls out until `stop`; LeaseLost/StaleGateway when another gateway took over."""
        assert self.desk is not None and self.lease is not None
        loop = asyncio.get_running_loop()
        # The desk stops on its own flag as well as on cancellation: redis-py can swallow a cancellation that
        # lands in a blocking read, and a desk that kept reading would keep this gateway from ever ending.
        ending = asyncio.Event()
        desk = loop.create_task(self.desk.serve(ending))
        lost = loop.create_task(self.lease.lost())
        stopped = loop.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait([desk, lost, stopped], return_when=asyncio.FIRST_COMPLETED)
            if lost in done:
                raise LeaseLost(lost.result())
            if stopped in done:
                ending.set()  # a clean stop: the desk finishes what it holds
                await desk
            desk.result()  # StaleGateway, or a clean stop
        finally:
            ending.set()
            for task in (desk, lost, stopped):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def close(self) -> None:
        if self._watching is not None:
            self._watching.cancel()
        if self.endpoints is not None:
            await self.endpoints.close()
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
        if self.lease is not None:
            await self.lease.release()


async def serve_gateway(settings: Settings, stop: asyncio.Event,
                        open_telegram: Callable[[], Awaitable[tuple[Any, Any, Callable[[Any], None]]]]) -> int:
    """Stand by, take over, publish and carry out until `stop`; the exit code (3: the lease was lost).

    `open_telegram()` gives (the Telegram port, something to close, `listen(publish)` that starts delivering
    updates to `publish`), made only once this process holds the lease.
    """
    gateway = Gateway(settings, None)
    closer = None
    try:
        if not await gateway.stand_by(stop):
            return 0
        gateway.adapter, closer, listen = await open_telegram()
        await gateway.open()
        listen(gateway.publish)
        await gateway.serve(stop)
        return 0
    except (LeaseLost, StaleGateway) as error:
        log.error("the gateway lease was lost (%s); stopping", error)
        return 3
    finally:
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()
        await gateway.close()


def telethon_gateway(settings: Settings) -> Callable[[], Awaitable[tuple[Any, Any, Callable[[Any], None]]]]:
    """The real Telegram: the bot's Telethon client, its update state saved only as far as published."""

    async def open_telegram() -> tuple[Any, Any, Callable[[Any], None]]:
        from adapters.telethon.durable_updates import DurableUpdates
        from adapters.telethon.gateway import TelethonGateway
        from adapters.telethon.inbound import Inbound
        from entrypoints.run import make_client

        client = make_client(settings)
        updates = DurableUpdates(client)
        await client.start(bot_token=settings.telegram_bot_token.get_secret_value())
        bot_id = (await client.get_me(input_peer=True)).user_id

        def listen(publish: Callable[[Any], Awaitable[None]]) -> None:
            Inbound(client, publish, bot_id).register()
            updates.box.on_lost = doubting_directories(settings)
            updates.open()

        async def close() -> None:
            deadline = asyncio.get_running_loop().time() + 10
            await updates.stop_intake(deadline)
            await updates.finish_handlers(deadline)
            await updates.close(deadline + 5)

        return TelethonGateway(client, bot_id), close, listen

    return open_telegram


def doubting_directories(settings: Settings) -> Callable[[int | None], None]:
    """Updates Telegram will never deliver (a catch-up answered "too long"): the workers' standing directories,
    in Redis, are doubted for that group (None: every group), so no worker trusts what may have changed unseen."""
    store = RedisStandingStore(bus_client(settings.redis_url.get_secret_value()), settings.redis_prefix)
    doubting: set[asyncio.Task] = set()

    async def doubt(chat_id: int | None) -> None:
        while True:  # until Redis takes it: a worker must not go on trusting the directory
            try:
                await (store.doubt_all() if chat_id is None else store.doubt(chat_id))
                return
            except Exception:
                log.exception("standing directory of chat %s not yet doubted after lost updates", chat_id)
                await asyncio.sleep(1.0)

    def lost(chat_id: int | None) -> None:
        task = asyncio.get_running_loop().create_task(doubt(chat_id))
        doubting.add(task)
        task.add_done_callback(doubting.discard)

    return lost
