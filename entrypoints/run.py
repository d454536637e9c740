"""`chanwarden run`: the bot on real Telegram, until SIGTERM or Ctrl-C."""

import asyncio
import contextlib
import logging
import signal
from typing import Any

from dependency_injector import providers

from adapters.ratelimit.scheduler import PriorityScheduler
from adapters.system_clock import SystemClock
from adapters.telethon.gateway import TelethonGateway
from adapters.telethon.inbound import Inbound
from infrastructure.backends import open_backends
from infrastructure.container import Container
from infrastructure.observability.http import readiness, serve_endpoints
from infrastructure.observability.logs import Redactor, configure_logging, secrets_of
from infrastructure.observability.sentry import close_sentry, init_sentry
from infrastructure.settings import Settings

log = logging.getLogger(__name__)

CREDENTIALS = {
    "TELEGRAM_API_ID": "telegram_api_id",
    "TELEGRAM_API_HASH": "telegram_api_hash",
    "TELEGRAM_BOT_TOKEN": "telegram_bot_token",
}
SETTLE_SECONDS = 20.0


def missing_credentials(settings: Settings) -> list[str]:
    return [env for env, field in CREDENTIALS.items() if getattr(settings, field) is None]


def make_client(settings: Settings) -> Any:
    from telethon import TelegramClient

    settings.session_path.parent.mkdir(parents=True, exist_ok=True)
    # A session file, not memory: it keeps the update state, so catch_up delivers what happened while down.
    return TelegramClient(
        str(settings.session_path),
        settings.telegram_api_id,
        settings.telegram_api_hash.get_secret_value(),
        catch_up=True,
        flood_sleep_threshold=0,  # flood waits go to our limiter, which keys them by chat and method
    )


async def serve(
    settings: Settings, client: Any, stop: asyncio.Event, connect: bool = True, on_ready: Any = None
) -> None:
    """Run until `stop` is set, then finish in-flight work and close everything.

    `connect=False` takes a client whose sender is already in place (the offline world), so there is
    nothing to dial and no one to log in.
    """
    configure_logging(settings)
    sentry = init_sentry(settings)  # here, not earlier: its asyncio integration needs the running loop
    backends = await open_backends(settings, SystemClock(), spool=True)
    gatekeeper = None
    ticker = None
    endpoints = None
    telemetry = None
    try:
        if connect:
            await client.start(bot_token=settings.telegram_bot_token.get_secret_value())
        bot_id = (await client.get_me(input_peer=True)).user_id
        container = Container()
        container.settings.override(providers.Object(settings))
        # The container puts instrumentation between the adapter and the limiter (see Container.telegram).
        container.gateway.override(providers.Object(TelethonGateway(client, bot_id)))
        container.rate_limiter.override(providers.Object(PriorityScheduler()))
        backends.wire(container)
        gatekeeper = container.gatekeeper()
        telemetry = container.telemetry()
        await gatekeeper.start()
        ready = readiness(backends, container.health(), client.is_connected, Redactor(secrets_of(settings)))
        endpoints = await serve_endpoints(settings, telemetry, ready)
        Inbound(client, gatekeeper.handle, bot_id).register()
        ticker = asyncio.create_task(_tick(gatekeeper, settings.pump_interval))
        log.info("chanwarden is running as bot %s", bot_id)
        if on_ready is not None:
            await on_ready(gatekeeper)
        await stop.wait()
    finally:
        if ticker is not None:
            ticker.cancel()
        with contextlib.suppress(Exception):
            await client.disconnect()  # no new updates from here on
        if gatekeeper is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(gatekeeper.settle(), SETTLE_SECONDS)
        if endpoints is not None:
            await endpoints.close()
        await backends.close()
        if telemetry is not None:
            telemetry.shutdown()
        if sentry is not None:
            close_sentry()


async def _tick(gatekeeper: Any, interval: float) -> None:
    # Work nobody poked about: commands spooled for the event store, shared read models after an outage,
    # events another instance recorded, warnings whose time is up.
    while True:
        await asyncio.sleep(interval)
        if await gatekeeper.spool.count():
            await gatekeeper.drain_spool()
        gatekeeper.pump.poke()


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
