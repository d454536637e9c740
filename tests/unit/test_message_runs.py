"""A member's messages queued behind one decision are decided together: one load, one append, and each message
still its own restriction (its deletion, its offence), exactly as if decided one after another."""

from application.commands import GroupMessage
from domain.senders import USER, Sender
from tests.unit.test_handlers import CountingStore, boot, protect


class BatchRecordingStore(CountingStore):
    """Remembers the event types of each append, to tell one append of four events from four appends."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    async def append(self, events, tracking=None):
        if events:
            self.batches.append([type(e).__name__ for e in events])
        return await super().append(events, tracking)


def posted(telegram, user: int, count: int) -> list[GroupMessage]:
    """`count` messages the member really wrote in the group (so deleting them shows), as the bot is told them."""
    sender = Sender(USER, user)
    return [GroupMessage(2001, telegram.world.post(2001, sender, "text", f"m{n}").id, sender, "text", f"m{n}",
                         sender_name=f"user{user}") for n in range(count)]


async def offences_of(store) -> list[int]:
    return [r.event.offences for r in await store.read_all() if type(r.event).__name__ == "MemberRestricted"]


async def test_a_run_of_a_non_subscribers_messages_is_one_append_and_every_message_is_deleted() -> None:
    store = BatchRecordingStore()
    gate, telegram, _ = await boot(store)
    await protect(gate)
    run = posted(telegram, 2, 4)
    store.batches.clear()
    loads = store.loads
    assert await gate.handle_run(run) == ["restricted"] * 4
    decided = [batch for batch in store.batches if "MemberRestricted" in batch]
    assert len(decided) == 1 and decided[0].count("MemberRestricted") == 4  # one append, four restrictions
    assert store.loads == loads  # the member was new: nothing to load
    await gate.settle()
    chat = telegram.world.chat(2001)
    assert all(chat.messages[cmd.message_id].deleted for cmd in run)
    assert not telegram.world.can_write(2001, 2)


async def test_a_run_walks_the_escalation_steps_as_its_messages_one_by_one_would() -> None:
    """Under `escalate`, four messages decided together count four offences, as four decided in turn do."""
    counted = []
    for together in (True, False):
        store = BatchRecordingStore()
        gate, telegram, _ = await boot(store)
        await protect(gate)
        for text in ("/settings action escalate", "/settings escalate warn,warn,mute:2h,kick"):
            await gate.handle(GroupMessage(2001, 3, Sender(USER, 10), "text", text))
        await gate.settle()
        run = posted(telegram, 2, 4)
        if together:
            await gate.handle_run(run)
        else:
            for cmd in run:
                await gate.handle(cmd)
        await gate.settle()
        counted.append(await offences_of(store))
    assert counted[0] == counted[1] == [1, 2, 3, 4]


async def test_an_admins_run_is_exempt_and_records_nothing() -> None:
    store = BatchRecordingStore()
    gate, telegram, _ = await boot(store)
    await protect(gate)
    store.batches.clear()
    assert await gate.handle_run(posted(telegram, 10, 3)) == ["exempt"] * 3
    await gate.settle()
    assert store.batches == []
