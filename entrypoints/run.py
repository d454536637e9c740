"""`chanwarden run`: the bot on real Telegram, until SIGTERM or Ctrl-C."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.ratelimit.scheduler import PriorityScheduler
from adapters.telethon.durable_updates import DurableUpdates
from adapters.telethon.gateway import TelethonGateway
from adapters.telethon.inbound import Inbound
from application.command_menu import register_command_menu
from entrypoints.startup import Startup, Stopped, release, watch_lease
from infrastructure.bootstrap import bootstrap
from infrastructure.observability.http import Waiting, readiness, serve_endpoints
from infrastructure.observability.logs import Redactor, configure_logging, secrets_of
from infrastructure.observability.sentry import close_sentry, init_sentry
from infrastructure.settings import DEVELOPMENT_SECRET, Settings

log = logging.getLogger(__name__)

CREDENTIALS = {
    "TELEGRAM_API_ID": "telegram_api_id",
    "TELEGRAM_API_HASH": "telegram_api_hash",
    "TELEGRAM_BOT_TOKEN": "telegram_bot_token",
}
SETTLE_SECONDS = 20.0
CLOSE_SECONDS = 5.0  # after settling: saving the update state and disconnecting


def missing_credentials(settings: Settings) -> list[str]:
    return [env for env, field in CREDENTIALS.items() if getattr(settings, field) is None]


class _SimulatedWorldAsked(BaseSettings):
    """The rig's settings that replace Telegram with a simulated world, read only to refuse them where the rig
    is not installed: the product has no such setting (see adapters/simulated_telegram/rig_settings.py)."""

    model_config = SettingsConfigDict(env_prefix="CHANWARDEN_", env_file=".env", extra="ignore")
    offline_scenario: str = ""
    remote_world: str = ""


def simulated_world_asked() -> str | None:
    """The variable that asks for a simulated world, if one does."""
    asked = _SimulatedWorldAsked()
    for name in ("offline_scenario", "remote_world"):
        if getattr(asked, name):
            return f"CHANWARDEN_{name.upper()}"
    return None


def callback_secret_problem(settings: Settings) -> str | None:
    """Why the Verify buttons' secret must not be used, if it must not: anyone who knows it can forge a button
    that releases anyone, and the development default is printed in chanwarden's own source."""
    secret = settings.callback_secret.get_secret_value()
    if not secret.strip():
        return "CHANWARDEN_CALLBACK_SECRET is empty; set it to a long random value (e.g. `openssl rand -hex 32`)."
    if secret == DEVELOPMENT_SECRET and settings.environment.strip().lower() != "development":
        return (f"CHANWARDEN_CALLBACK_SECRET is the development default, which anyone can read in chanwarden's "
                f"source; set it to a long random value before running as {settings.environment!r}.")
    return None


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
        # Telegram answers a repeated random_id (a warning re-sent after a crash) with RANDOM_ID_DUPLICATE as a
        # server error: raised as itself, not as a bare ValueError, so the gateway can tell it apart.
        raise_last_call_error=True,
        # Each request is sent once. Telethon resends after a server error or a timeout, when Telegram may
        # have carried the first one out: a second restriction over an admin's change, a second message
        # (and it sleeps 2 s before each). The application retries by its own policy, from the log.
        request_retries=0,
    )


@dataclass
class TelegramLink:
    """The bot's way to Telegram, made only once this process may act (it holds the store's lease)."""

    client: Any
    connect: bool = True  # False: a client whose sender is already in place (a simulated world): nothing to dial
    on_ready: Callable[[Any], Awaitable[None]] | None = None  # run with the gatekeeper once the bot serves
    updates: DurableUpdates | None = None  # the update state Telegram resumes from, saved only when durable


async def real_telegram(settings: Settings) -> TelegramLink:
    client = make_client(settings)
    return TelegramLink(client, updates=DurableUpdates(client))  # before connect(), which loads the state


async def serve(settings: Settings, open_link: Callable[[], Awaitable[TelegramLink]], stop: asyncio.Event) -> None:
    """Take the store's lease, reach the store, connect to Telegram, and run until `stop` is set; then
    finish in-flight work and close everything. Stopped while still waiting, it just stops."""
    configure_logging(settings)
    sentry = init_sentry(settings)  # here, not earlier: its asyncio integration needs the running loop
    redactor = Redactor(secrets_of(settings))
    waiting = Waiting(redactor=redactor)
    endpoints = await serve_endpoints(settings, None, waiting)  # alive, and not ready, from the first moment
    startup = Startup(settings, stop, waiting)
    application = bootstrap(settings, rate_limiter=PriorityScheduler(), spool=True)
    lease = watcher = backends = client = updates = gatekeeper = ticker = telemetry = None
    try:
        lease = await startup.take_lease()
        watcher = watch_lease(lease)
        backends = await startup.reach_store(application.open)
        link = await open_link()
        client, updates = link.client, link.updates
        if link.connect:
            await client.start(bot_token=settings.telegram_bot_token.get_secret_value())
        bot_id = (await client.get_me(input_peer=True)).user_id
        # The container puts instrumentation between the adapter and the limiter (see Container.telegram).
        gatekeeper = await application.build(TelethonGateway(client, bot_id))
        telemetry = application.telemetry
        await gatekeeper.start()
        await register_command_menu(gatekeeper.ctx.gateway)  # the "/" menu in Telegram's apps, best effort
        if endpoints is not None:
            endpoints.serve_bot(telemetry, readiness(backends, application.health, client.is_connected, redactor))
        Inbound(client, gatekeeper.handle, bot_id).register()
        if updates is not None:
            updates.box.on_lost = _doubting(gatekeeper)
            updates.open()  # a catch-up taken in while starting waited for the handlers
        ticker = asyncio.create_task(_tick(gatekeeper, settings.pump_interval))
        log.info("chanwarden is running as bot %s", bot_id)
        if link.on_ready is not None:
            await link.on_ready(gatekeeper)
        await stop.wait()
    except Stopped:
        pass
    finally:
        if ticker is not None:
            ticker.cancel()
        await _settle_then_disconnect(client, updates, gatekeeper)
        if endpoints is not None:
            await endpoints.close()
        await application.close()
        await release(lease, watcher)  # last: a standby takes over only once this process has stopped acting
        if telemetry is not None:
            telemetry.shutdown()
        if sentry is not None:
            close_sentry()


async def _settle_then_disconnect(client: Any, updates: DurableUpdates | None, gatekeeper: Any) -> None:
    """No new updates; the decisions in hand finish (within SETTLE_SECONDS); the update state saved covers
    them; only then the client disconnects (which cancels whatever handler is still running: its update
    stays out of the saved state, so Telegram delivers it again to the next start)."""
    if client is None:
        return
    deadline = asyncio.get_running_loop().time() + SETTLE_SECONDS
    if updates is None:
        with contextlib.suppress(Exception):
            await client.disconnect()
    else:
        if not await updates.stop_intake(deadline):
            log.warning("Telethon's update loop did not stop; disconnecting anyway")
        await updates.finish_handlers(deadline)
    if gatekeeper is not None:
        left = max(0.0, deadline - asyncio.get_running_loop().time())
        with contextlib.suppress(Exception):
            await asyncio.wait_for(gatekeeper.settle(), left)
    if updates is not None:
        await updates.close(deadline + CLOSE_SECONDS)


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


def _doubting(gatekeeper: Any) -> Callable[[int | None], None]:
    """Updates Telegram will never deliver (a catch-up answered "too long"): the standing directories they may
    have changed are doubted, and filled again when next needed."""
    ctx = gatekeeper.ctx
    return lambda chat_id: ctx.behind.run(ctx.standing.updates_lost(chat_id))
