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


# The test rig: the simulated Telegram, the scenario runner, the demo and the benchmark. It ships with the source,
# not in the wheel, and is imported only by the commands that use it, so the product works without it.
HOW_TO_GET_THE_RIG = "in a clone of chanwarden: pip install -e '.[sim]' --config-settings editable_mode=compat"
RIG_MISSING = ("`chanwarden {command}` needs the test rig (the simulated Telegram), which this installation lacks; "
               f"it comes with the source: {HOW_TO_GET_THE_RIG} (or make demo)")


def _rig(command: str) -> None:
    """One clear line and exit 2 when the rig is not installed."""
    try:

        import entrypoints.scenarios.runner  # noqa: F401
    except ImportError:
        console.print(f"[red]{escape(RIG_MISSING.format(command=command))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


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
    transport: Literal["direct", "telethon", "botapi"] = typer.Option(
        "direct", "--transport",
        help="direct: world updates become commands; telethon: through a real TelegramClient and its adapter; "
             "botapi: another bot (--bot) through the local Bot API server.",
    ),
    bot: str | None = typer.Option(
        None, "--bot", help="With --transport botapi: nezuko, or a command that reads BOT_API_BASE_URL and BOT_TOKEN.",
    ),
) -> None:
    """Run a scenario on the simulated Telegram; exit 1 if any expectation fails."""
    _rig("simulate")
    from entrypoints.scenarios.model import ScenarioError, load
    from entrypoints.scenarios.printing import print_report
    from entrypoints.scenarios.runner import ScenarioRun

    try:
        scenario = load(file)
    except ScenarioError as error:
        console.print(f"[red]{escape(str(error))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    peer = None
    if transport == "botapi":
        from benchmarks.peers.bot_process import bot_for

        if not bot:
            console.print("[red]--transport botapi plays another bot: name it with --bot nezuko or --bot CMD.[/red]",
                          highlight=False)
            raise typer.Exit(2)
        peer = bot_for(bot)
    try:
        report = asyncio.run(ScenarioRun(scenario, Settings(), keep=keep, transport=transport, bot=peer).run())
    except Exception as error:
        if peer is None:
            raise
        console.print(f"[red]{escape(str(error))}[/red]", highlight=False, soft_wrap=True)  # the bot did not start
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print_report(console, report)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def run() -> None:
    """Run the bot on Telegram (needs TELEGRAM_API_ID, TELEGRAM_API_HASH, TELEGRAM_BOT_TOKEN)."""
    from entrypoints.run import (
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

    simulated = _simulated_world()

    async def main() -> None:
        stop = asyncio.Event()
        stop_on_signals(stop)
        if simulated is not None:
            await simulated(stop)
        else:
            await serve(settings, lambda: real_telegram(settings), stop)
        console.print("chanwarden stopped cleanly.")

    event_loop.run(main())


def _simulated_world():
    """The rig's run on a simulated world when its settings ask for one (tests); None: real Telegram. Asked
    for one where the rig is not installed, one clear line and exit 2."""
    try:
        from entrypoints.scenarios.rig_run import simulated_run
    except ImportError:
        from entrypoints.run import simulated_world_asked

        asked = simulated_world_asked()
        if asked is None:
            return None
        line = (f"{asked} asks for a simulated world, which this installation lacks (the test rig, "
                f"{HOW_TO_GET_THE_RIG}); unset it to run on Telegram.")
        console.print(f"[red]{escape(line)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    return simulated_run(console)


@app.command()
def botapi(
    scenario: Path = typer.Option(..., "--scenario", exists=True, dir_okay=False, help="Its world is served."),
    port: int = typer.Option(8081, "--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one)."),
) -> None:
    """Serve a scenario's world as a local Telegram Bot API server, for any Bot API bot to be pointed at."""
    _rig("botapi")
    from adapters.simulated_telegram.botapi.server import serve_forever
    from entrypoints.scenarios.model import ScenarioError, load
    from entrypoints.scenarios.world_builder import build_world

    try:
        world = build_world(load(scenario).world)
    except ScenarioError as error:
        console.print(f"[red]{escape(str(error))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        asyncio.run(serve_forever(world, port, lambda url, token: console.print(
            f"Serving {escape(str(scenario))} at {url} (token {token}); Ctrl-C stops.", highlight=False)))
    except OSError as error:
        console.print(f"[red]Cannot serve on port {port}: {escape(error.strerror or str(error))}[/red]",
                      highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


@app.command()
def demo() -> None:
    """Play a short story on the simulated Telegram and narrate what the bot does."""
    _rig("demo")
    from entrypoints.scenarios.demo import play

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
    peers: str = typer.Option("", "--peers", help="Real peer bots instead (nezuko): played through the local "
                                                  "Bot API server in real time, next to chanwarden."),
    peer_rate: float = typer.Option(1.0, "--peer-rate", min=0.01, help="With --peers: timeline steps a second."),
    no_cases: bool = typer.Option(False, "--no-cases", help="With --peers: skip the docs/peers.md cases."),
    scale_out: bool = typer.Option(
        False, "--scale-out", help="Instead: steady and raid through a gateway and 1, then 2, worker processes."
    ),
    repeats: int = typer.Option(
        0, "--repeats", min=0, help="With --scale-out: runs of each configuration, 1 and 2 workers side by side "
                                    "(0: 3, or 1 with --quick)."
    ),
) -> None:
    """Measure speed, Telegram cost and correctness against the peers' strategies on a simulated Telegram."""
    _rig("bench")
    try:
        from benchmarks.main import command
    except ImportError:
        console.print(f"[red]{escape(RIG_MISSING.format(command='bench'))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None

    if scale_out:
        from benchmarks.scale_out import command as scale_out_command

        raise typer.Exit(scale_out_command(quick, as_json, repeats or None))
    if peers:
        from benchmarks.main import make_config
        from benchmarks.peers.bench import command as peer_command

        config = make_config(quick, scale, rtt_ms, jitter_ms, concurrency, seed, backends, strategies, workloads)
        raise typer.Exit(peer_command(quick, as_json, plot, peers, peer_rate, config, cases=not no_cases))

    raise typer.Exit(command(quick, as_json, plot, scale=scale, rtt_ms=rtt_ms, jitter_ms=jitter_ms,
                             concurrency=concurrency, seed=seed, backends=backends, strategies=strategies,
                             workloads=workloads, paced_rate=paced_rate))
