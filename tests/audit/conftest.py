"""Scenario histories kept in SQLite or PostgreSQL (each PostgreSQL log in a database of its own)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from audit_support import SCENARIOS, Moment, Played, fresh_settings
from pydantic import SecretStr

from adapters.memory.read_models import InMemoryReadModels
from adapters.postgres import drop_database
from application.projector import Projector
from entrypoints.scenarios.model import Scenario, load
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def play(backend: str, tmp_path: Path) -> AsyncIterator[Any]:
    """play(file name in tests/scenarios, or a path, cache, audit_key) -> Played, with the run's store left open on
    `run.store` (its log chain keyed with `audit_key` when given)."""
    runs: list[ScenarioRun] = []

    async def playing(scenario: Scenario | str | Path, cache: str = "memory", audit_key: str | None = None) -> Played:
        if not isinstance(scenario, Scenario):
            scenario = load(SCENARIOS / scenario if isinstance(scenario, str) else scenario)
        key = None if audit_key is None else SecretStr(audit_key)
        settings = fresh_settings(backend, tmp_path).model_copy(update={"cache": cache, "audit_key": key})
        run = ScenarioRun(scenario, settings, keep=True)
        runs.append(run)
        played = Played(run)
        await run.open()
        for number, step in enumerate(scenario.steps, start=1):
            result = await run.step(number, step)
            assert result.ok, f"step {number} {result.step}: {result.detail}"
            fresh = InMemoryReadModels()
            await Projector(run.store, fresh).catch_up()
            played.moments.append(Moment(run.clock.now(), fresh.all_groups(), fresh.all_verdicts()))
        return played

    yield playing
    for run in runs:
        await run.close()
        await run.discard()


@pytest.fixture
async def empty_settings(backend: str, tmp_path: Path) -> AsyncIterator[Any]:
    """empty_settings(backend=None) -> Settings of a fresh, empty log; PostgreSQL databases dropped afterwards."""
    made: list[Settings] = []

    def making(other: str | None = None) -> Settings:
        made.append(fresh_settings(other or backend, tmp_path))
        return made[-1]

    yield making
    for settings in made:
        if settings.event_store == "postgres":
            await drop_database(settings.postgres_dsn.get_secret_value())
