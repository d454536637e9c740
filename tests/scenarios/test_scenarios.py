"""Every scenario in this folder must pass on the configured event store (embedded SQLite by default)."""

from pathlib import Path

import pytest

from entrypoints.scenarios.model import load
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings

SCENARIOS = sorted(Path(__file__).parent.glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario_passes(path: Path) -> None:
    report = await ScenarioRun(load(path), Settings()).run()
    failures = [f"{s.number} {s.step}: {s.detail}" for s in report.failures]
    assert report.ok, "\n".join(failures)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario_passes_on_postgres_and_redis(path: Path) -> None:
    """The production backends: each run gets its own database and key prefix, removed afterwards."""
    report = await ScenarioRun(load(path), Settings(event_store="postgres", cache="redis")).run()
    failures = [f"{s.number} {s.step}: {s.detail}" for s in report.failures]
    assert report.ok, "\n".join(failures)


def test_library_is_large_enough() -> None:
    assert len(SCENARIOS) >= 15
