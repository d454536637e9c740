"""A member leaves a linked channel and is back before the bot has finished deciding about the leave.

The leave of a member the gate has not seen yet waits for Telegram (is this person in the group at all?);
the rejoin arrives meanwhile. Whatever the order in which the two finish, the member must end able to write.
"""

import asyncio

from adapters.simulated_telegram.model import Chat, Participant
from application.commands import ChannelMembershipChanged, GroupMessage
from domain import membership_verdict as mv
from domain.senders import USER, Sender
from tests.unit.test_handlers import boot, protect

NEWS, BLOG, GROUP, ALICE = 1001, 1002, 2001, 1


class HeldGroupLookups:
    """Telegram's answer about someone's place in the group waits until `release`."""

    def __init__(self, telegram) -> None:
        self.asked = asyncio.Event()
        self._released = asyncio.Event()
        self._get = telegram.get_participant
        telegram.get_participant = self._held

    async def _held(self, chat_id: int, user_id: int):
        if chat_id == GROUP:
            self.asked.set()
            await self._released.wait()
        return await self._get(chat_id, user_id)

    def release(self) -> None:
        self._released.set()


def held_records(store, event_name: str) -> tuple[asyncio.Event, asyncio.Event]:
    """Appends holding `event_name` set the first event and wait for the second to be set."""
    recording, carry_on = asyncio.Event(), asyncio.Event()
    append = store.append

    async def held_append(events, tracking=None):
        if any(type(e).__name__ == event_name for e in events):
            recording.set()
            await carry_on.wait()
        return await append(events, tracking)

    store.append = held_append
    return recording, carry_on


def channel(telegram, status: str) -> ChannelMembershipChanged:
    telegram.world.chats[NEWS].participants[ALICE] = Participant(status)
    return ChannelMembershipChanged(NEWS, ALICE, status)


async def test_a_rejoin_told_while_the_leave_is_still_being_decided_leaves_the_member_free() -> None:
    gate, telegram, _ = await boot()
    await protect(gate)
    held = HeldGroupLookups(telegram)
    leave = asyncio.create_task(gate.handle(channel(telegram, "left")))
    await asyncio.wait_for(held.asked.wait(), 1)
    join = asyncio.create_task(gate.handle(channel(telegram, "member")))  # back while the leave still waits
    await asyncio.sleep(0.01)
    held.release()
    assert await asyncio.wait_for(leave, 1) == ["superseded"]
    assert await asyncio.wait_for(join, 1) == []  # nothing to release: no restriction was recorded
    await gate.settle()
    assert telegram.world.can_write(GROUP, ALICE)
    view = await gate.ctx.read_models.verdict(GROUP, ALICE)
    assert view is None or view.status != mv.RESTRICTED


async def test_a_rejoin_told_while_the_leave_is_being_recorded_releases_the_member() -> None:
    gate, telegram, store = await boot()
    await protect(gate)
    recording, carry_on = held_records(store, "MemberRestricted")
    leave = asyncio.create_task(gate.handle(channel(telegram, "left")))
    await asyncio.wait_for(recording.wait(), 1)  # decided: restrict; the record is on its way
    join = asyncio.create_task(gate.handle(channel(telegram, "member")))
    await asyncio.sleep(0.01)
    assert not join.done()  # it waits for the restriction to be recorded before it reads the member's view
    carry_on.set()
    await asyncio.wait_for(leave, 1)
    assert await asyncio.wait_for(join, 1) == ["passed"]  # the restriction it found is released
    await gate.settle()
    assert telegram.world.can_write(GROUP, ALICE)
    assert (await gate.ctx.read_models.verdict(GROUP, ALICE)).status != mv.RESTRICTED


async def undone_leave_with_a_second_channel(in_blog: bool) -> tuple:
    """/protect @news @blog; Alice, whom the gate has never seen, leaves @news and is back while the leave
    waits for Telegram's answer about the group. The cache knows nothing of @blog."""
    gate, telegram, _ = await boot()
    blog = Chat(BLOG, "channel", "Blog", "blog", participants={999: Participant("admin")})
    if in_blog:
        blog.participants[ALICE] = Participant("member")
    telegram.world.chats[BLOG] = blog
    await gate.handle(GroupMessage(GROUP, 1, Sender(USER, 10), "text", "/protect @news @blog"))
    await gate.settle()
    held = HeldGroupLookups(telegram)
    leave = asyncio.create_task(gate.handle(channel(telegram, "left")))
    await asyncio.wait_for(held.asked.wait(), 1)
    join = asyncio.create_task(gate.handle(channel(telegram, "member")))
    await asyncio.sleep(0.01)
    held.release()
    outcome = await asyncio.wait_for(leave, 1)
    await asyncio.wait_for(join, 1)
    await gate.settle()
    return outcome, telegram.world.can_write(GROUP, ALICE)


async def test_a_channel_the_cache_does_not_know_does_not_keep_a_rejoined_member_muted() -> None:
    """The leave decides on @news alone, so the rejoin supersedes it; @blog, checked then, is subscribed."""
    assert await undone_leave_with_a_second_channel(in_blog=True) == (["superseded"], True)


async def test_an_undone_leave_still_finds_a_channel_the_member_never_joined() -> None:
    """The member the leave brought to the gate's notice is checked on @blog too, and is muted for it."""
    assert await undone_leave_with_a_second_channel(in_blog=False) == (["restricted"], False)


async def test_a_leave_told_while_a_rejoin_release_is_being_recorded_keeps_the_member_muted() -> None:
    """Alice left and is restricted; she rejoins (a release is decided) and leaves again before the release is
    recorded. The release may not land after the second leave's decision: she ends muted."""
    gate, telegram, store = await boot()
    await protect(gate)
    assert await gate.handle(channel(telegram, "left")) == ["restricted"]
    await gate.settle()
    recording, carry_on = held_records(store, "MemberReleased")
    rejoin = asyncio.create_task(gate.handle(channel(telegram, "member")))
    await asyncio.wait_for(recording.wait(), 1)  # release decided, its record on its way
    leave = asyncio.create_task(gate.handle(channel(telegram, "left")))
    await asyncio.sleep(0.01)
    carry_on.set()
    await asyncio.wait_for(asyncio.gather(rejoin, leave), 1)
    await gate.settle()
    assert (await gate.ctx.read_models.verdict(GROUP, ALICE)).status == mv.RESTRICTED
    assert not telegram.world.can_write(GROUP, ALICE)
