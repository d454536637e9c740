"""A member's first message in a group, known subscribed, is answered before its verdict reaches the log."""

import asyncio
import logging

from application.commands import ChannelMembershipChanged
from application.ports.availability import Unavailable
from domain import membership_verdict as mv
from domain.ids import verdict_stream_id
from tests.unit.test_handlers import CountingStore, boot, message, protect


class HeldVerifications(CountingStore):
    """Appends holding a SubscriptionVerified wait for `release` (or fail with `failure`); the rest go through."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.waiting = 0
        self.failure: Exception | None = None
        self._released = asyncio.Event()

    async def append(self, events, tracking=None):
        if self.holding and any(type(e).__name__ == "SubscriptionVerified" for e in events):
            self.waiting += 1
            await self._released.wait()
            if self.failure is not None:
                raise self.failure
        return await super().append(events, tracking)

    def release(self) -> None:
        self._released.set()


async def held_gate():
    store = HeldVerifications()
    gate, telegram, _ = await boot(store)
    await protect(gate)
    store.holding = True
    return gate, telegram, store


async def verdicts_in_log(store, member: int) -> list[str]:
    stream = verdict_stream_id(2001, member)
    return [type(r.event).__name__ for r in await store.read_all() if r.event.originator_id == stream]


async def test_the_answer_does_not_wait_for_the_log_and_the_verdict_follows() -> None:
    gate, _, store = await held_gate()
    assert await asyncio.wait_for(gate.handle(message(1)), 1) == "passed"  # while its append is held
    assert store.waiting == 1 and await gate.ctx.read_models.verdict(2001, 1) is None
    store.release()
    await gate.settle()
    assert (await gate.ctx.read_models.verdict(2001, 1)).status == mv.VERIFIED
    assert "SubscriptionVerified" in await verdicts_in_log(store, 1)


async def test_writing_again_before_it_is_recorded_records_it_once() -> None:
    gate, _, store = await held_gate()
    for n in range(3):
        assert await gate.handle(message(1, message_id=60 + n)) == "passed"
    store.release()
    await gate.settle()
    assert (await verdicts_in_log(store, 1)).count("SubscriptionVerified") == 1 and store.waiting == 1


async def test_a_leave_recorded_meanwhile_stands_and_the_pass_is_dropped() -> None:
    """Without the guard the late pass, finding the member restricted, would have released them."""
    gate, telegram, store = await held_gate()
    assert await gate.handle(message(1)) == "passed"
    telegram.world.leave(1001, 1)
    telegram.world.outbox.clear()
    assert await gate.handle(ChannelMembershipChanged(1001, 1, "left")) == ["restricted"]
    store.release()
    await gate.settle()
    assert (await gate.ctx.read_models.verdict(2001, 1)).status == mv.RESTRICTED
    names = await verdicts_in_log(store, 1)
    assert "SubscriptionVerified" not in names and "MemberReleased" not in names
    assert not telegram.world.can_write(2001, 1)


async def test_a_log_out_of_reach_is_logged_and_the_next_message_records_it(caplog) -> None:
    gate, _, store = await held_gate()
    store.failure = Unavailable("the event store did not answer")
    with caplog.at_level(logging.WARNING, logger="application.gate"):
        assert await gate.handle(message(1)) == "passed"
        store.release()
        await gate.ctx.behind.settled()
    assert "first pass of member 1 in chat 2001 not recorded" in caplog.text
    assert await gate.ctx.read_models.verdict(2001, 1) is None and await verdicts_in_log(store, 1) == []
    store.failure, store.holding = None, False
    assert await gate.handle(message(1, message_id=61)) == "passed"
    await gate.settle()
    assert (await gate.ctx.read_models.verdict(2001, 1)).status == mv.VERIFIED
