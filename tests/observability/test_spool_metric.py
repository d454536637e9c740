"""The spool's depth is a metric: updates waiting for an event store that does not answer show in /metrics
(beside the degraded flag), and the gauge falls back to 0 once they are drained."""

import pytest

from adapters.simulated_telegram.model import Person
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario
from tests.observability.conftest import series_names, value
from tests.outage.test_spool_drain import NEWCOMERS, PROTECT, FlakyStore, join


@pytest.fixture
async def flaky_run():
    run = ScenarioRun(scenario(PROTECT), Settings(event_store="memory"))
    await run.open()
    run.backends.store = FlakyStore(run.store)
    await run.restart()  # the gate now writes through the flaky store
    for member in NEWCOMERS:
        run.world.people[member] = Person(member, f"Newcomer {member}")
    await play(run, PROTECT)
    yield run
    await run.close()


async def scrape(run: ScenarioRun) -> str:
    return (await run.gatekeeper.telemetry.exposition()).decode()


async def test_updates_waiting_for_the_store_are_counted_until_drained(flaky_run) -> None:
    text = await scrape(flaky_run)
    assert "chanwarden_spool_depth" in series_names(text) and value(text, "chanwarden_spool_depth") == 0
    flaky_run.store.down = True
    for member in NEWCOMERS[:3]:
        await join(flaky_run, member)
    text = await scrape(flaky_run)
    assert value(text, "chanwarden_spool_depth") == 3
    assert value(text, "chanwarden_degraded") == 1

    flaky_run.store.down = False
    assert await flaky_run.gatekeeper.drain_spool()
    text = await scrape(flaky_run)
    assert value(text, "chanwarden_spool_depth") == 0
    assert value(text, "chanwarden_degraded") == 0
