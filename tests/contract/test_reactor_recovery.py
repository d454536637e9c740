"""A decision recorded just before a crash is carried out after the restart, and only once."""

from pathlib import Path

import pytest

from adapters.postgres import PostgresEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Sender as WorldSender
from adapters.sqlite.event_store import SqliteEventStore
from application.commands import GroupMessage
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.unit.test_handlers import make_world


async def boot(store, telegram, clock):
    return await bootstrap(Settings(), clock=clock, gateway=telegram, store=store).build()


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request, tmp_path: Path):
    """Opens the same durable log again each time it is called, as a restarted process would."""
    if request.param == "sqlite":
        path = tmp_path / "events.db"

        async def sqlite() -> SqliteEventStore:
            return SqliteEventStore(path)

        return sqlite
    dsn, name = request.getfixturevalue("pg_dsn"), request.getfixturevalue("log_name")

    async def postgres() -> PostgresEventStore:
        return await PostgresEventStore.open(dsn, name)

    return postgres


async def test_restriction_recorded_before_a_crash_is_enforced_after_restart(open_store) -> None:
    world, clock = make_world(), SimulatedClock()
    telegram = SimulatedTelegram(world, clock)
    first = await open_store()
    gate = await boot(first, telegram, clock)
    await gate.start()
    await gate.handle(GroupMessage(2001, 1, Sender(USER, 10), "text", "/protect @news"))
    await gate.settle()

    # The process dies right after recording: the reactor never runs.
    gate.ctx.on_recorded = lambda: None
    posted = world.post(2001, WorldSender("user", 2), "text", "hello")
    world.outbox.clear()
    assert await gate.handle(GroupMessage(2001, posted.id, Sender(USER, 2), "text", "hello")) == "restricted"
    assert world.can_write(2001, 2)
    await first.close()

    calls_before = telegram.calls["edit_banned"]
    second = await open_store()
    restarted = await boot(second, telegram, clock)
    await restarted.start()
    assert not world.can_write(2001, 2)
    assert world.chat(2001).messages[posted.id].deleted
    assert telegram.calls["edit_banned"] == calls_before + 1
    warnings = [m for m in world.live_bot_messages(2001) if "Verify" in str(m.buttons)]
    assert len(warnings) == 1

    # A second restart finds everything done: no call is repeated.
    calls = dict(telegram.calls)
    await second.close()
    third = await open_store()
    again = await boot(third, telegram, clock)
    await again.start()
    assert dict(telegram.calls) == calls
    await third.close()
