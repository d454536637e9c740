"""`chanwarden projections rebuild` gives read models equal to the live ones, and repairs drift."""

import asyncio
import shutil
from pathlib import Path

from typer.testing import CliRunner

from adapters.memory.read_models import InMemoryReadModels
from adapters.redis import unlink_under
from application.drift import drift
from application.projector import Projector
from entrypoints.cli import app
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario

STORY = """
- {do: command, chat: 2001, from: 11, text: "/protect @news"}
- {do: message, chat: 2001, from: 1, text: hello}
- {do: join, chat: 2001, user: 2}
- {do: leave, chat: 1001, user: 3}
- {do: command, chat: 2001, from: 11, text: "/settings quiet on"}
"""


async def expected_views(store):
    fresh = InMemoryReadModels()
    await Projector(store, fresh).catch_up()
    return fresh.all_groups(), fresh.all_verdicts()


async def test_rebuild_equals_live_and_repairs_drift(redis_up, monkeypatch) -> None:
    run = ScenarioRun(scenario(STORY), Settings(event_store="sqlite", cache="redis"), keep=True)
    await run.open()
    settings = run._run_settings
    live = run.backends.shared_read_models["redis"]
    client = live._client
    try:
        await play(run, STORY)
        groups, verdicts = await expected_views(run.store)
        assert len(verdicts) == 3 and await drift(groups, verdicts, live) == []

        # The CLI runs its own event loop in another thread, as it would in its own process.
        # Someone deletes a key by hand: the drift check names it, the rebuild repairs it.
        await client.delete(f"{settings.redis_prefix}read:verdict:2001:2")
        assert any("verdict 2001/2" in p for p in await drift(groups, verdicts, live))

        monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "sqlite")
        monkeypatch.setenv("CHANWARDEN_SQLITE_PATH", str(settings.sqlite_path))
        monkeypatch.setenv("CHANWARDEN_CACHE", "redis")
        monkeypatch.setenv("CHANWARDEN_REDIS_PREFIX", settings.redis_prefix)
        result = await asyncio.to_thread(CliRunner().invoke, app, ["projections", "rebuild"])
        assert result.exit_code == 0, result.output
        last = await run.store.last_position()
        assert f"{last} events replayed" in result.output
        assert await drift(groups, verdicts, live) == []

        status = await asyncio.to_thread(CliRunner().invoke, app, ["projections", "status"])
        row = next(line for line in status.output.splitlines() if "redis" in line)
        assert status.exit_code == 0
        assert [cell.strip() for cell in row.split("│")[1:5]] == ["redis", str(last), str(last), "0"]
    finally:
        await unlink_under(client, settings.redis_prefix, 5.0)
        await run.close()
        shutil.rmtree(Path(settings.sqlite_path).parent, ignore_errors=True)
