"""How the spool drains: updates that come while it holds anything wait behind it (order is kept even once
the store is back), a spooled update that fails for a reason other than the store is dropped with an
error instead of holding up the rest forever, and its depth is a metric until it is drained."""

import logging

import pytest

from adapters.guarded_store import StoreUnavailable
from adapters.simulated_telegram.model import Person
from application import gatekeeper as gk
from domain.ids import verdict_stream_id
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario
from tests.observability.conftest import series_names, value

GROUP = 2001
NEWCOMERS = [21, 22, 23, 24]
PROTECT = '[{do: command, chat: 2001, from: 11, text: "/protect @news"}]'


class FlakyStore:
    """The run's store, made to refuse appends while `down`, and to fail with a bug for `poisoned` streams."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.down = False
        self.poisoned: set = set()

    async def append(self, events, tracking=None):
        if self.down:
            raise StoreUnavailable("append: the store is away")
        if any(event.originator_id in self.poisoned for event in events):
            raise RuntimeError("a bug, not the store")
        return await self.inner.append(events, tracking)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture
async def run():
    run = ScenarioRun(scenario(PROTECT), Settings(event_store="memory"))
    await run.open()
    run.backends.store = FlakyStore(run.store)
    await run.restart()  # the gate now writes through the flaky store
    for member in NEWCOMERS:
        run.world.people[member] = Person(member, f"Newcomer {member}")
    await play(run, PROTECT)
    yield run
    await run.close()


async def join(run: ScenarioRun, member: int) -> None:
    await play(run, f"[{{do: join, chat: {GROUP}, user: {member}}}]")


async def restricted(run: ScenarioRun) -> list[int]:
    members = {verdict_stream_id(GROUP, member): member for member in NEWCOMERS}
    records = await run.store.read_all(after=0, limit=10_000)
    return [members[r.event.originator_id] for r in records if type(r.event).__name__ == "MemberRestricted"]


async def test_updates_after_an_outage_wait_behind_the_spool_and_it_drains_in_order(run, monkeypatch) -> None:
    monkeypatch.setattr(gk, "RETRY_PAUSE", 0.0)  # the next update may try the store at once
    run.store.down = True
    await join(run, 21)
    await join(run, 22)
    assert await run.gatekeeper.spool.count() == 2

    run.store.down = False
    await join(run, 23)  # the store is back, but 21 and 22 came first: 23 waits behind them, then all drain
    await run.deliver()
    assert await restricted(run) == [21, 22, 23]
    assert await run.gatekeeper.spool.count() == 0
    assert gk.SPOOL not in run.health.problems and gk.STORE not in run.health.problems


async def test_a_spooled_update_that_fails_for_another_reason_is_dropped_not_kept_forever(run, caplog) -> None:
    run.store.down = True
    for member in (21, 22, 23):
        await join(run, member)
    assert await run.gatekeeper.spool.count() == 3

    run.store.down = False
    run.store.poisoned.add(verdict_stream_id(GROUP, 22))
    with caplog.at_level(logging.ERROR):
        assert await run.gatekeeper.drain_spool()
    await run.deliver()
    assert await restricted(run) == [21, 23]
    assert await run.gatekeeper.spool.count() == 0
    assert any("spooled MemberJoined could not be handled" in r.getMessage() for r in caplog.records)


async def test_the_spool_s_depth_is_exported_until_it_is_drained(run) -> None:
    async def scrape() -> str:
        return (await run.gatekeeper.telemetry.exposition()).decode()

    text = await scrape()
    assert "chanwarden_spool_depth" in series_names(text) and value(text, "chanwarden_spool_depth") == 0
    run.store.down = True
    for member in (21, 22, 23):
        await join(run, member)
    text = await scrape()
    assert value(text, "chanwarden_spool_depth") == 3 and value(text, "chanwarden_degraded") == 1

    run.store.down = False
    assert await run.gatekeeper.drain_spool()
    text = await scrape()
    assert value(text, "chanwarden_spool_depth") == 0 and value(text, "chanwarden_degraded") == 0
