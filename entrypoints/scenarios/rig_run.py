"""`chanwarden run` against a simulated world instead of Telegram, when the rig's settings ask for one.

Part of the test rig (the `sim` extra): the installed product has no such setting, and refuses one in a line
(entrypoints/run.py, simulated_world_asked).
"""

import asyncio
from collections.abc import Awaitable, Callable

from rich.console import Console

from adapters.simulated_telegram.rig_settings import RigSettings
from entrypoints.run import TelegramLink, serve

SimulatedRun = Callable[[asyncio.Event], Awaitable[None]]


def simulated_run(console: Console) -> SimulatedRun | None:
    """How to run until stopped on the simulated world the settings name; None: they name none (real Telegram)."""
    settings = RigSettings()
    if settings.offline_scenario is not None:
        from entrypoints.scenarios.offline_run import run_offline

        return lambda stop: run_offline(settings, str(settings.offline_scenario), stop, console)
    if settings.remote_world is not None:
        # A simulated world in another process, to kill the bot for real (tests/reliability).
        from adapters.simulated_telegram.remote.bot_side import RemoteWorld

        async def run_remote(stop: asyncio.Event) -> None:
            async def remote_world() -> TelegramLink:
                remote = await RemoteWorld.open(settings)
                return TelegramLink(remote.client, connect=False, **remote.link_options(stop))

            await serve(settings, remote_world, stop)

        return run_remote
    return None
