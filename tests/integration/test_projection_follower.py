"""`chanwarden projections follow`: a process of its own keeps the shared read models up with the log, so a bot
run with CHANWARDEN_SHARED_PROJECTION=separate need not spend its core on them."""

import asyncio
import shutil
from pathlib import Path

from typer.testing import CliRunner

from adapters.postgres import PostgresEventStore
from adapters.redis import unlink_under
from application.drift import drift
from entrypoints.cli import app
from entrypoints.projection_follower import follow
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario
from tests.integration.test_projections_rebuild import STORY, expected_views

LATER = """
- {do: join, chat: 2001, user: 4}
- {do: message, chat: 2001, from: 4, text: hi}
"""


async def until(condition, seconds: float) -> None:
    async def poll() -> None:
        while not await condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), seconds)


async def test_the_bot_leaves_the_shared_read_models_to_the_follower_which_follows_each_append(redis_up) -> None:
    settings = Settings(event_store="postgres", cache="redis", shared_projection="separate")
    run = ScenarioRun(scenario(STORY), settings)
    await run.open()
    shared = run.backends.shared_read_models["redis"]
    # Another process's view of the same log: its own connections and its own LISTEN.
    elsewhere = await PostgresEventStore.open(run._run_settings.postgres_dsn.get_secret_value())
    stop = asyncio.Event()
    follower = None
    try:
        await play(run, STORY)
        assert await run.store.last_position() > 0 and await shared.position() == 0  # the bot wrote none of it

        # A long interval: only the appends' notifications can explain a prompt catch-up.
        follower = asyncio.create_task(follow(elsewhere, {"redis": shared}, stop, interval=60))
        await until(lambda: _caught_up(run.store, shared), 5)
        await play(run, LATER)
        await until(lambda: _caught_up(run.store, shared), 5)
        groups, verdicts = await expected_views(run.store)
        assert len(verdicts) == 4 and await drift(groups, verdicts, shared) == []
        stop.set()
        assert await asyncio.wait_for(follower, 5) == await run.store.last_position()
    finally:
        stop.set()
        if follower is not None and not follower.done():
            follower.cancel()
        await elsewhere.close()
        await run.close()


async def test_follow_once_from_the_command_line_catches_up_and_exits(redis_up, monkeypatch) -> None:
    run = ScenarioRun(scenario(STORY), Settings(event_store="sqlite", cache="redis", shared_projection="separate"),
                      keep=True)
    await run.open()
    settings = run._run_settings
    shared = run.backends.shared_read_models["redis"]
    try:
        await play(run, STORY)
        assert await shared.position() == 0
        monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "sqlite")
        monkeypatch.setenv("CHANWARDEN_SQLITE_PATH", str(settings.sqlite_path))
        monkeypatch.setenv("CHANWARDEN_CACHE", "redis")
        monkeypatch.setenv("CHANWARDEN_REDIS_PREFIX", settings.redis_prefix)
        # The CLI runs its own event loop in another thread, as it would in its own process.
        result = await asyncio.to_thread(CliRunner().invoke, app, ["projections", "follow", "--once"])
        assert result.exit_code == 0, result.output
        last = await run.store.last_position()
        assert f"{last} events projected" in result.output and await shared.position() == last
        groups, verdicts = await expected_views(run.store)
        assert await drift(groups, verdicts, shared) == []
    finally:
        await unlink_under(shared._client, settings.redis_prefix, 5.0)
        await run.close()
        shutil.rmtree(Path(settings.sqlite_path).parent, ignore_errors=True)


async def _caught_up(store, shared) -> bool:
    return await shared.position() == await store.last_position()
