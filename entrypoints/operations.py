"""Operator commands: schema migrations, and the shared read models' status, follower and rebuild."""

import asyncio

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from adapters.system_clock import SystemClock
from application.ports.availability import Unavailable
from application.projector import Projector
from entrypoints.exit_codes import FAILED
from entrypoints.out_of_reach import exit_when_out_of_reach
from entrypoints.projection_follower import FollowProgress, follow, serve_follower
from entrypoints.run import stop_on_signals
from infrastructure import event_loop
from infrastructure.backends import open_backends
from infrastructure.observability.logs import configure_logging
from infrastructure.settings import Settings

projections = typer.Typer(help="The read models in Redis: how far behind they are, and rebuilding them.",
                          no_args_is_help=True)
console = Console()


def migrate() -> None:
    """Create or upgrade the event store's schema (safe to run again)."""
    settings = Settings()

    async def go() -> str:
        if settings.event_store == "postgres":
            from adapters.postgres import ensure_database
            from adapters.postgres import migrate as migrate_postgres
            from adapters.postgres.guarded import OPEN_TIMEOUT, unless_lost

            dsn = settings.postgres_dsn.get_secret_value()
            # A deadline on reaching the server, as the bot has at start; the migration itself takes what it needs.
            await unless_lost(ensure_database(dsn), "connect", OPEN_TIMEOUT)
            return f"PostgreSQL schema at version {await migrate_postgres(dsn)}"
        backends = await open_backends(settings, SystemClock())
        await backends.close()
        return f"{settings.event_store} store ready"

    with exit_when_out_of_reach(settings):
        console.print(asyncio.run(go()))


async def _shared(settings: Settings):
    backends = await open_backends(settings, SystemClock(), membership_cache=False)
    if not backends.shared_read_models:
        await backends.close()
        console.print("No shared read models: set CHANWARDEN_CACHE=redis. Local ones are rebuilt on every start.")
        raise typer.Exit(FAILED)
    return backends


@projections.command()
def status() -> None:
    """Each shared projection's position and how far it lags behind the log."""
    settings = Settings()

    async def go() -> None:
        backends = await _shared(settings)
        try:
            last = await backends.store.last_position()
            table = Table("projection", "position", "log position", "lag")
            for name, models in backends.shared_read_models.items():
                position = await models.position()
                table.add_row(name, str(position), str(last), str(last - position))
            console.print(table)
        finally:
            await backends.close()

    with exit_when_out_of_reach(settings):
        asyncio.run(go())


@projections.command("follow")
def follow_command(
    once: bool = typer.Option(False, "--once", help="Catch up with the log, then exit."),
) -> None:
    """Keep the shared read models following the log, beside bots run with CHANWARDEN_SHARED_PROJECTION=separate;
    serves /healthz, /readyz and /metrics on CHANWARDEN_PROJECTIONS_PORT (not with --once)."""
    settings = Settings()
    configure_logging(settings)

    async def go() -> None:
        with exit_when_out_of_reach(settings):
            backends = await _shared(settings)
        stop = asyncio.Event()
        progress = FollowProgress()
        telemetry = endpoints = None
        try:
            if not once:
                stop_on_signals(stop)
                telemetry, endpoints = await serve_follower(settings, backends, progress)
            with exit_when_out_of_reach(settings, Unavailable):  # only with --once: else it waits for Redis
                applied = await follow(backends.store, backends.shared_read_models, stop, settings.pump_interval,
                                       once, progress)
        finally:
            if endpoints is not None:
                await endpoints.close()
            await backends.close()
            if telemetry is not None:
                telemetry.shutdown()
        console.print(f"{applied} events projected")

    event_loop.run(go())


@projections.command()
def rebuild() -> None:
    """Replay the whole log into fresh shared read models."""
    settings = Settings()

    async def go() -> None:
        backends = await _shared(settings)
        try:
            total = await backends.store.last_position()
            for name, models in backends.shared_read_models.items():
                await models.clear()
                with Progress(console=console) as progress:
                    task = progress.add_task(f"rebuilding {name}", total=total)
                    applied = await Projector(backends.store, models, name=name).catch_up(
                        lambda n, task=task: progress.advance(task, n)
                    )
                console.print(f"{name}: {applied} events replayed, position {await models.position()}")
        finally:
            await backends.close()

    with exit_when_out_of_reach(settings):
        asyncio.run(go())
