"""A decision recorded just before a crash is carried out after the restart, and only once."""

from pathlib import Path

from dependency_injector import providers

from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Sender as WorldSender
from adapters.sqlite.event_store import SqliteEventStore
from application.commands import GroupMessage
from domain.senders import USER, Sender
from infrastructure.container import Container
from infrastructure.settings import Settings
from tests.unit.test_handlers import make_world


def boot(store, telegram, clock):
    container = Container()
    container.settings.override(providers.Object(Settings()))
    container.clock.override(providers.Object(clock))
    container.gateway.override(providers.Object(telegram))
    container.event_store.override(providers.Object(store))
    return container.gatekeeper()


async def test_restriction_recorded_before_a_crash_is_enforced_after_restart(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    world, clock = make_world(), SimulatedClock()
    telegram = SimulatedTelegram(world, clock)
    gate = boot(SqliteEventStore(path), telegram, clock)
    await gate.start()
    await gate.handle(GroupMessage(2001, 1, Sender(USER, 10), "text", "/protect @news"))
    await gate.settle()

    # The process dies right after recording: the reactor never runs.
    gate.ctx.on_recorded = lambda: None
    posted = world.post(2001, WorldSender("user", 2), "text", "hello")
    world.outbox.clear()
    assert await gate.handle(GroupMessage(2001, posted.id, Sender(USER, 2), "text", "hello")) == "restricted"
    assert world.can_write(2001, 2)
    await gate.ctx.repository._store.close()

    calls_before = telegram.calls["edit_banned"]
    restarted = boot(SqliteEventStore(path), telegram, clock)
    await restarted.start()
    assert not world.can_write(2001, 2)
    assert world.chat(2001).messages[posted.id].deleted
    assert telegram.calls["edit_banned"] == calls_before + 1
    warnings = [m for m in world.live_bot_messages(2001) if "Verify" in str(m.buttons)]
    assert len(warnings) == 1

    # A second restart finds everything done: no call is repeated.
    calls = dict(telegram.calls)
    again = boot(SqliteEventStore(path), telegram, clock)
    await again.start()
    assert dict(telegram.calls) == calls
