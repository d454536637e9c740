"""The reactor records a mute before the warning waits its turn, so a crash in that wait repeats nothing.

A warning can wait long under Telegram's message limits (20 a minute in a group). The crash test showed a
mute done but recorded only with the warning, so every kill during the wait muted the member again.
"""

import asyncio

from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Participant
from application.commands import GroupMessage, VerifyPressed
from domain.ids import verdict_stream_id
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.reliability.harness import ADMIN, BOB, CHANNEL, GROUP, make_world


class HeldWarnings(SimulatedTelegram):
    """Warnings (messages with buttons) wait until the test lets them go, as under a rate limit."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.waiting = asyncio.Event()
        self.go = asyncio.Event()

    async def send_message(self, chat_id, message, key=None):
        if message.buttons:
            self.waiting.set()
            await self.go.wait()
        return await super().send_message(chat_id, message, key)


async def boot():
    world, clock, store = make_world(), SimulatedClock(), InMemoryEventStore()
    telegram = HeldWarnings(world, clock)
    settings = Settings(event_store="memory", instrument=False)
    gate = await bootstrap(settings, clock=clock, gateway=telegram, store=store).start()
    await gate.handle(GroupMessage(GROUP, 1, Sender(USER, ADMIN), "text", "/protect @news"))
    await gate.settle()
    return gate, telegram, store


async def names(store, member: int) -> list[str]:
    return [type(e).__name__ for e in await store.read_stream(verdict_stream_id(GROUP, member))]


async def test_the_mute_is_recorded_while_the_warning_still_waits() -> None:
    gate, telegram, store = await boot()
    await gate.handle(GroupMessage(GROUP, 50, Sender(USER, BOB), "text", "hi"))
    gate.pump.poke()
    await asyncio.wait_for(telegram.waiting.wait(), 5)
    assert "MuteApplied" in await names(store, BOB)  # a crash now would not mute Bob again
    assert telegram.calls["edit_banned"] == 1
    telegram.go.set()
    await gate.settle()
    assert (await names(store, BOB)).count("MuteApplied") == 1
    assert "WarningPosted" in await names(store, BOB)


async def test_a_release_during_the_wait_lifts_the_recorded_mute_once() -> None:
    gate, telegram, store = await boot()
    await gate.handle(GroupMessage(GROUP, 50, Sender(USER, BOB), "text", "hi"))
    gate.pump.poke()
    await asyncio.wait_for(telegram.waiting.wait(), 5)
    telegram.world.chat(CHANNEL).participants[BOB] = Participant("member")
    token = gate.ctx.tokens.issue(GROUP, BOB)
    assert await gate.handle(VerifyPressed(7, GROUP, BOB, token)) == "released"
    telegram.go.set()  # the reactor's record of the warning now conflicts with the release: it retries
    await gate.settle()
    recorded = await names(store, BOB)
    assert recorded.count("MuteApplied") == 1 and recorded.count("MuteLifted") == 1, recorded
    assert telegram.world.can_write(GROUP, BOB)
    assert telegram.calls["edit_banned"] == 2  # one mute, one lift: nothing repeated
