"""Reactor, projector and pump as the container wires them, on the in-memory store and the simulated Telegram.

Bob (not subscribed to @news) writes in the group of tests.unit.test_handlers; a crowd of non-subscribers
writes in a second protected group. Telegram's send_message into Bob's group can be held, as Telegram's
per-chat message limit holds a warning back.
"""

import asyncio
import contextlib
import inspect
import time
from collections.abc import Callable
from datetime import UTC, datetime

from adapters.memory.read_models import InMemoryReadModels
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.model import Sender as WorldSender
from application.commands import GroupMessage, VerifyPressed
from application.projector import Projector
from domain import membership_verdict as mv
from domain.ids import verdict_stream_id
from domain.senders import USER, Sender
from tests.unit.test_handlers import CountingStore, boot, protect

GROUP, OTHER, BOB, ADMIN = 2001, 2002, 2, 10
CROWD = range(100, 112)
T = datetime(2026, 1, 1, tzinfo=UTC)


class HeldWarnings:
    """Telegram's send_message into one chat waits until `release` (the rest of the gateway is untouched)."""

    def __init__(self, telegram, chat_id: int) -> None:
        self.waiting = 0
        self._chat_id = chat_id
        self._released = asyncio.Event()
        self._send = telegram.send_message
        telegram.send_message = self._held  # the instance the container's gateway calls

    async def _held(self, chat_id: int, message, key=None) -> int:
        if chat_id == self._chat_id:
            self.waiting += 1
            await self._released.wait()
        return await self._send(chat_id, message, key)

    def release(self) -> None:
        self._released.set()


async def two_groups():
    gate, telegram, store = await boot()
    world = telegram.world
    world.chats[OTHER] = Chat(OTHER, "group", "Other", participants={ADMIN: Participant("creator"),
                                                                      999: Participant("admin")})
    for uid in CROWD:
        world.people[uid] = Person(uid, f"member{uid}")
        world.chats[OTHER].participants[uid] = Participant("member")
    await protect(gate)
    await gate.handle(GroupMessage(OTHER, 1, Sender(USER, ADMIN), "text", "/protect @news"))
    await gate.settle()
    return gate, telegram, store


async def restrict(gate, world, chat_id: int, member_id: int) -> int:
    """The member writes in the group and is restricted (decided and recorded, not yet carried out)."""
    posted = world.post(chat_id, WorldSender("user", member_id), text="hi")
    command = GroupMessage(chat_id, posted.id, Sender(USER, member_id), "text", "hi", sender_name=f"u{member_id}")
    assert await gate.handle(command) == "restricted"
    return posted.id


@contextlib.contextmanager
def pump_told_afterwards(gate):
    """Recordings made inside poke the pump once, at the end: the reactor then finds them all in the log,
    as after a burst or a restart (a handler's Telegram calls would otherwise let it start on the first)."""
    gate.ctx.on_recorded = lambda: None
    try:
        yield
    finally:
        gate.ctx.on_recorded = gate.pump.poke
        gate.pump.poke()


async def until(condition: Callable[[], object], seconds: float = 1.0) -> bool:
    """Whether `condition` (plain or async) comes true within `seconds`, the event loop running meanwhile."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)


async def recorded(store, name: str, chat_id: int, member_id: int) -> list[int]:
    stream = verdict_stream_id(chat_id, member_id)
    return [r.position for r in await store.read_all(limit=100_000)
            if r.event.originator_id == stream and type(r.event).__name__ == name]


async def crowd_muted(world, store) -> bool:
    """Every member of the crowd is muted on Telegram, and the mute is recorded."""
    return not any(world.can_write(OTHER, uid) for uid in CROWD) and all(
        [await recorded(store, "MuteApplied", OTHER, uid) for uid in CROWD])


async def bob_held_and_crowd_restricted():
    """Bob restricted, then the crowd, all in the log before the reactor reads; Bob's warning held."""
    gate, telegram, store = await two_groups()
    world = telegram.world
    held = HeldWarnings(telegram, GROUP)
    gate.pump.reactor._batch = 4  # short reads: Bob and the crowd reach the reactor in different reads
    with pump_told_afterwards(gate):
        await restrict(gate, world, GROUP, BOB)
        for uid in CROWD:
            await restrict(gate, world, OTHER, uid)
    return gate, telegram, store, held


async def test_the_reactor_does_not_wait_for_its_slowest_member() -> None:
    """While Bob's warning waits, the crowd of the other group is muted and recorded so; the reactor's
    position stays before Bob's restriction until his warning is out, then reaches the end of the log."""
    gate, telegram, store, held = await bob_held_and_crowd_restricted()
    world = telegram.world
    assert await until(lambda: crowd_muted(world, store))
    assert held.waiting == 1 and not world.can_write(GROUP, BOB)
    [bob_restricted] = await recorded(store, "MemberRestricted", GROUP, BOB)
    assert await store.tracking_position("reactor") < bob_restricted

    held.release()
    await gate.settle()
    assert await recorded(store, "WarningPosted", GROUP, BOB)
    assert await store.tracking_position("reactor") == await store.last_position()


async def test_decisions_recorded_while_a_warning_waits_are_carried_out_meanwhile() -> None:
    """The reactor has read to the end of the log and Bob's warning waits; the crowd restricted after that
    is muted without waiting for Bob."""
    gate, telegram, store = await two_groups()
    world = telegram.world
    held = HeldWarnings(telegram, GROUP)
    await restrict(gate, world, GROUP, BOB)
    assert await until(lambda: held.waiting == 1)
    for uid in CROWD:
        await restrict(gate, world, OTHER, uid)
    muted = await until(lambda: crowd_muted(world, store), seconds=0.5)
    held.release()
    await gate.settle()
    assert muted


async def test_messages_of_members_carried_out_together_are_deleted_in_fewer_calls() -> None:
    """Each restricted member's message is deleted, with fewer delete_messages calls than messages."""
    gate, telegram, _ = await two_groups()
    world = telegram.world
    before = telegram.calls["delete_messages"]
    with pump_told_afterwards(gate):
        messages = [await restrict(gate, world, OTHER, uid) for uid in CROWD]
    await gate.settle()
    assert all(world.chat(OTHER).messages[m].deleted for m in messages)
    assert telegram.calls["delete_messages"] - before < len(messages)


async def test_the_projector_keeps_up_while_the_reactor_waits() -> None:
    """With Bob's warning held, the local read models still reach the last position of the log,
    outcomes the reactor recorded meanwhile included."""
    gate, telegram, store, held = await bob_held_and_crowd_restricted()
    assert await until(lambda: crowd_muted(telegram.world, store))
    last = await store.last_position()
    assert last > max(await recorded(store, "MemberRestricted", OTHER, CROWD[-1]))  # the reactor wrote on

    async def caught_up() -> bool:
        return await gate.ctx.read_models.position() >= last

    assert await until(caught_up)
    assert held.waiting == 1 and await store.tracking_position("reactor") < last  # the reactor still waits
    held.release()
    await gate.settle()


async def test_the_projector_moves_held_aggregates_on_without_loading_them_again() -> None:
    """After a first pass, 50 new events of streams the projector holds are projected with no stream load."""
    store, read_models = CountingStore(), InMemoryReadModels()
    projector = Projector(store, read_models, batch=7)  # streams' events spread over several batches
    verdicts = [mv.MembershipVerdict(chat_id=GROUP, member_id=uid, timestamp=T) for uid in CROWD[:5]]
    await store.append([e for v in verdicts for e in v.collect_events()])
    await projector.catch_up()
    loads = store.stream_reads

    for round_ in range(10):
        for verdict in verdicts:
            if verdict.is_restricted:
                verdict.release(mv.VERIFY_PRESSED, verdict.member_id, T)
            else:
                verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", [], round_, T)
            await store.append(verdict.collect_events())
    assert await projector.catch_up() == 50
    assert store.stream_reads == loads
    view = await read_models.verdict(GROUP, CROWD[0])
    assert view is not None and view.status == mv.RELEASED  # moved on in memory, and correctly


async def test_a_burst_of_messages_from_one_restricted_member_loses_none() -> None:
    """Sixty messages of one muted-to-be member arrive at once, each a decision about the same stream:
    every one is handled and recorded (its message deleted), none gives up on conflicting writes."""
    gate, telegram, store = await two_groups()
    remote_like(store)
    world = telegram.world
    await restrict(gate, world, GROUP, BOB)
    posted = [world.post(GROUP, WorldSender("user", BOB), text=f"again {n}") for n in range(60)]
    commands = [GroupMessage(GROUP, p.id, Sender(USER, BOB), "text", p.text) for p in posted]
    outcomes = await asyncio.gather(*(gate.handle(c) for c in commands), return_exceptions=True)
    assert outcomes == ["restricted"] * 60
    await gate.settle()
    assert all(world.chat(GROUP).messages[p.id].deleted for p in posted)


def remote_like(store) -> None:
    """Reads and appends give way to other tasks, as a store across a network does, so that writers of
    one stream can interleave."""
    for name in ("load_stream", "append"):
        original = getattr(store, name)

        async def yielding(*args, original=original, **kwargs):
            await asyncio.sleep(0.002)  # a round trip
            return await original(*args, **kwargs)

        setattr(store, name, yielding)


async def test_warnings_to_one_group_are_sent_side_by_side_not_one_round_trip_after_another() -> None:
    """Four members restricted in one group (below the raid threshold): all four warnings are on their way to
    Telegram at once, and each is posted when Telegram answers."""
    gate, telegram, store = await two_groups()
    world = telegram.world
    held = HeldWarnings(telegram, OTHER)
    four = CROWD[:4]
    with pump_told_afterwards(gate):
        for uid in four:
            await restrict(gate, world, OTHER, uid)
    assert await until(lambda: held.waiting == len(four))
    held.release()
    await gate.settle()
    assert all([await recorded(store, "WarningPosted", OTHER, uid) for uid in four])


async def test_posts_under_way_while_the_raid_notice_is_sent_all_share_that_one_notice() -> None:
    """Twelve members restricted at once in one group: five warnings of their own, then one shared notice,
    sent once though the other seven all reach the desk while it is on its way."""
    gate, telegram, _ = await two_groups()
    world = telegram.world
    held = HeldWarnings(telegram, OTHER)
    with pump_told_afterwards(gate):
        for uid in CROWD:
            await restrict(gate, world, OTHER, uid)
    assert await until(lambda: held.waiting == 6)  # five warnings and the notice, all on their way at once
    await asyncio.sleep(0.05)
    assert held.waiting == 6
    held.release()
    await gate.settle()
    views = [await gate.ctx.read_models.verdict(OTHER, uid) for uid in CROWD]
    shared = {v.warning_id for v in views if v.warning_shared}
    assert len(shared) == 1 and sum(v.warning_shared for v in views) == 7
    assert len({v.warning_id for v in views}) == 6 and all(v.warning_id for v in views)


class HeldDeletions:
    """Telegram's delete_messages in one chat waits until `release`, as a deletion waits for its batch."""

    def __init__(self, telegram, chat_id: int) -> None:
        self.waiting = 0
        self.asked: set[int] = set()  # the messages whose deletion was asked for
        self._chat_id = chat_id
        self._released = asyncio.Event()
        self._delete = telegram.delete_messages
        telegram.delete_messages = self._held

    async def _held(self, chat_id: int, message_ids) -> None:
        if chat_id == self._chat_id:
            self.waiting += 1
            self.asked.update(message_ids)
            await self._released.wait()
        return await self._delete(chat_id, message_ids)

    def release(self) -> None:
        self._released.set()


async def test_a_verify_press_is_answered_while_the_members_message_is_still_being_deleted() -> None:
    """Deleting Bob's message holds neither Bob's lock nor a slot: he subscribes and presses Verify while the
    deletion waits, and is released at once; the reactor's position passes his restriction only once the
    deletion is done."""
    gate, telegram, store = await two_groups()
    world = telegram.world
    held = HeldDeletions(telegram, GROUP)
    message_id = await restrict(gate, world, GROUP, BOB)
    assert await until(lambda: held.waiting == 1)
    assert await until(lambda: recorded(store, "WarningPosted", GROUP, BOB))
    data = world.live_bot_messages(GROUP)[-1].buttons[-1][0]["data"]
    world.join(1001, BOB)
    try:
        answer = await asyncio.wait_for(gate.handle(VerifyPressed(9, GROUP, BOB, data)), timeout=1.0)
        free = await until(lambda: world.can_write(GROUP, BOB))
    finally:
        [bob_restricted] = await recorded(store, "MemberRestricted", GROUP, BOB)
        behind = await store.tracking_position("reactor") < bob_restricted
        held.release()
    assert answer == "released" and free
    assert behind
    await gate.settle()
    assert world.chat(GROUP).messages[message_id].deleted
    assert await store.tracking_position("reactor") == await store.last_position()


async def test_a_members_second_message_is_deleted_without_waiting_for_the_first_deletion() -> None:
    """Bob writes twice before his mute lands. The reactor reaches his second message while deleting his
    first is still waiting for Telegram: the second deletion goes out at once, not after the first (a flood
    written before a mute would otherwise be deleted one call at a time)."""
    gate, telegram, store = await two_groups()
    world = telegram.world
    held = HeldDeletions(telegram, GROUP)
    first = world.post(GROUP, WorldSender("user", BOB), text="hi")
    second = world.post(GROUP, WorldSender("user", BOB), text="hi again")
    for posted in (first, second):
        command = GroupMessage(GROUP, posted.id, Sender(USER, BOB), "text", posted.text, sender_name="Bob")
        assert await gate.handle(command) == "restricted"
        assert await until(lambda: first.id in held.asked)
    both_asked = await until(lambda: second.id in held.asked)
    held.release()
    assert both_asked
    await gate.settle()
    assert world.chat(GROUP).messages[first.id].deleted and world.chat(GROUP).messages[second.id].deleted
    assert await store.tracking_position("reactor") == await store.last_position()

