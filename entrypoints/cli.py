"""The `chanwarden` command."""

import asyncio
import json
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.markup import escape

from entrypoints import scale_out_cli
from entrypoints.audit import audit
from entrypoints.operations import migrate, projections
from entrypoints.scenarios.model import ScenarioError, load
from entrypoints.scenarios.printing import print_report
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure import event_loop
from infrastructure.settings import Settings
from infrastructure.version import VERSION

app = typer.Typer(help="chanwarden: members write in a group only while they follow its channels.",
                  no_args_is_help=True, add_completion=False)
console = Console()
app.add_typer(projections, name="projections")
app.add_typer(audit, name="audit")
app.command()(migrate)
app.command()(scale_out_cli.gateway)
app.command()(scale_out_cli.worker)


def _print_version(asked: bool) -> None:
    if asked:
        print(f"chanwarden {VERSION}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print chanwarden's version and exit."),
) -> None:
    """Typer's place for options that come before the command."""


@app.command()
def simulate(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A scenario YAML file."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    keep: bool = typer.Option(False, "--keep", help="Keep the run's event store for inspection."),
    transport: Literal["direct", "telethon"] = typer.Option(
        "direct", "--transport",
        help="direct: world updates become commands; telethon: through a real TelegramClient and its adapter.",
    ),
) -> None:
    """Run a scenario on the simulated Telegram; exit 1 if any expectation fails."""
    try:
        scenario = load(file)
    except ScenarioError as error:
        console.print(f"[red]{escape(str(error))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    report = asyncio.run(ScenarioRun(scenario, Settings(), keep=keep, transport=transport).run())
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print_report(console, report)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def run() -> None:
    """Run the bot on Telegram (needs TELEGRAM_API_ID, TELEGRAM_API_HASH, TELEGRAM_BOT_TOKEN)."""
    from entrypoints.run import (
        TelegramLink,
        callback_secret_problem,
        missing_credentials,
        real_telegram,
        serve,
        stop_on_signals,
    )

    settings = Settings()
    missing = missing_credentials(settings)
    if missing:
        console.print(f"[red]Please set {', '.join(missing)}.[/red] Get the API id and hash at my.telegram.org "
                      "and the bot token from @BotFather.", highlight=False)
        raise typer.Exit(2)
    problem = callback_secret_problem(settings)
    if problem is not None:
        console.print(f"[red]{problem}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2)

    async def main() -> None:
        stop = asyncio.Event()
        stop_on_signals(stop)
        if settings.offline_scenario is not None:
            from entrypoints.offline_run import run_offline

            await run_offline(settings, str(settings.offline_scenario), stop, console)
        elif settings.remote_world is not None:
            # Test-only: a simulated world in another process, to kill the bot for real (tests/reliability).
            from adapters.simulated_telegram.remote.bot_side import RemoteWorld

            async def remote_world() -> TelegramLink:
                remote = await RemoteWorld.open(settings)
                return TelegramLink(remote.client, connect=False, **remote.link_options(stop))

            await serve(settings, remote_world, stop)
        else:
            await serve(settings, lambda: real_telegram(settings), stop)
        console.print("chanwarden stopped cleanly.")

    event_loop.run(main())


@app.command()
def demo() -> None:
    """Play a short story on the simulated Telegram and narrate what the bot does."""
    from entrypoints.demo import play

    raise typer.Exit(asyncio.run(play(console)))


@app.command()
def bench(
    quick: bool = typer.Option(False, "--quick", help="Small sizes: the whole bench in under two minutes."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    plot: Path | None = typer.Option(None, "--plot", dir_okay=False, help="Draw latencies and calls to this PNG."),
    scale: float = typer.Option(1.0, "--scale", min=0.001, help="Multiply the traffic by this (the world stays)."),
    rtt_ms: float = typer.Option(50.0, "--rtt-ms", min=0.0, help="Simulated Telegram round trip, slept for real."),
    jitter_ms: float = typer.Option(10.0, "--jitter-ms", min=0.0, help="Round trip jitter (uniform +/-)."),
    concurrency: int = typer.Option(256, "--concurrency", min=1, help="Updates in flight at once."),
    seed: int = typer.Option(7, "--seed", help="Same seed, same worlds and timelines."),
    backends: str = typer.Option("embedded,services", "--backends", help="embedded (SQLite) and/or services."),
    strategies: str = typer.Option("naive,lru5,chanwarden", "--strategies", help="Strategies to compare."),
    workloads: str = typer.Option("steady,raid,churn", "--workloads", help="Workloads to play."),
    paced_rate: float = typer.Option(
        1000.0, "--paced-rate", min=0.0, help="Steps a second for the latency-at-load runs (0 skips them)."
    ),
    scale_out: bool = typer.Option(
        False, "--scale-out", help="Instead: steady and raid through a gateway and 1, then 2, worker processes."
    ),
) -> None:
    """Measure speed, Telegram cost and correctness against the peers' strategies on a simulated Telegram."""
    if scale_out:
        from benchmarks.scale_out import command as scale_out_command

        raise typer.Exit(scale_out_command(quick, as_json))
    from benchmarks.main import command

    raise typer.Exit(command(quick, as_json, plot, scale=scale, rtt_ms=rtt_ms, jitter_ms=jitter_ms,
                             concurrency=concurrency, seed=seed, backends=backends, strategies=strategies,
                             workloads=workloads, paced_rate=paced_rate))
