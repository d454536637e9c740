"""Every scenario must also pass with the bot's Telethon adapter in the loop: a real TelegramClient whose
requests and updates are real TL, answered and produced by the simulated world."""

from pathlib import Path

import pytest

from entrypoints.scenarios.model import load
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario_passes_through_telethon(path: Path) -> None:
    report = await ScenarioRun(load(path), Settings(), transport="telethon").run()
    failures = [f"{s.number} {s.step}: {s.detail}" for s in report.failures]
    assert report.ok, "\n".join(failures)
    assert report.transport == "telethon"


def test_every_scenario_is_covered() -> None:
    assert len(SCENARIOS) >= 15
