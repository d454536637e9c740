"""`chanwarden gateway` and `chanwarden worker`: the bot split into one Telegram connection and N deciders."""

import asyncio
import logging

import typer
from rich.console import Console

from infrastructure.settings import Settings

console = Console(stderr=True)
log = logging.getLogger(__name__)


def _needs_services(settings: Settings) -> None:
    if settings.event_store != "postgres" or settings.cache != "redis":
        console.print("[red]Scale-out needs the shared services: set CHANWARDEN_EVENT_STORE=postgres and "
                      "CHANWARDEN_CACHE=redis (`chanwarden run` serves a store of its own alone).[/red]",
                      highlight=False, soft_wrap=True)
        raise typer.Exit(2)


def gateway() -> None:
    """Hold the one Telegram connection for the workers (a second one stands by and takes over)."""
    from entrypoints.gateway import serve_gateway, telethon_gateway
    from entrypoints.run import missing_credentials, stop_on_signals
    from infrastructure.observability.logs import configure_logging

    settings = Settings()
    _needs_services(settings)
    missing = missing_credentials(settings)
    if missing:
        console.print(f"[red]Please set {', '.join(missing)}.[/red]", highlight=False)
        raise typer.Exit(2)

    async def main() -> int:
        configure_logging(settings)
        stop = asyncio.Event()
        stop_on_signals(stop)
        return await serve_gateway(settings, stop, telethon_gateway(settings))

    raise typer.Exit(asyncio.run(main()))


def worker(name: str = typer.Option("", "--name", help="This worker's name (default: host, pid and a tag).")) -> None:
    """Decide for the partitions this worker leases; its Telegram calls go through the gateway."""
    from entrypoints.partition_worker import PartitionWorker
    from entrypoints.run import callback_secret_problem, stop_on_signals
    from infrastructure.observability.logs import configure_logging

    settings = Settings()
    _needs_services(settings)
    problem = callback_secret_problem(settings)
    if problem is not None:
        console.print(f"[red]{problem}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2)

    async def main() -> None:
        configure_logging(settings)
        stop = asyncio.Event()
        stop_on_signals(stop)
        process = PartitionWorker(settings, name or None)
        try:
            await process.open()
            await process.run(stop)
        finally:
            await process.close()

    from redis.exceptions import RedisError

    from entrypoints.out_of_reach import OUT_OF_REACH, exit_when_out_of_reach

    # One line and exit 4 when the store or Redis cannot be reached; its supervisor starts it again.
    with exit_when_out_of_reach(settings, (*OUT_OF_REACH, RedisError)):
        asyncio.run(main())
