"""The standing directory at work: a first-seen member muted without reading their rights in the group when the
directory tells them, their admin's restriction kept through the bot's mute and release; and read, not assumed,
whenever the directory cannot be trusted (after a start that may have missed changes)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.standing_directory import InMemoryStandingStore
from adapters.redis.errors import RedisUnavailable
from adapters.redis.standing_directory import RedisStandingStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.direct import to_command
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.world import World
from application import commands as c
from application.ports import telegram as ports
from application.standing_directory import StandingDirectory
from domain import subscription as sub
from domain.senders import USER, Sender
from entrypoints.run import _doubting
from infrastructure.backends import Backends
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.contract.redis_fixtures import redis_namespace
from tests.integration.helpers import CountingTelegram

BOT, CHANNEL, GROUP, OWNER = 999, 1001, 2001, 10
BOB, DAN, EVE, CAROL = 2, 3, 4, 5
ADMIN_SET = frozenset({"send_photos"})  # what an admin took from a member by hand


def world() -> World:
    """Bob was restricted by an admin before the bot came (no update told the bot); nobody follows @news."""
    w = World(bot_id=BOT)
    for uid in (BOB, DAN, EVE, CAROL, OWNER):
        w.people[uid] = Person(uid, f"Person {uid}")
    w.chats[CHANNEL] = Chat(CHANNEL, "channel", "News", "news", participants={BOT: Participant(sub.ADMIN)})
    w.chats[GROUP] = Chat(GROUP, "group", "Chat", participants={
        OWNER: Participant(sub.CREATOR), BOT: Participant(sub.ADMIN), BOB: Participant(sub.RESTRICTED, ADMIN_SET),
        DAN: Participant(sub.MEMBER), EVE: Participant(sub.MEMBER), CAROL: Participant(sub.MEMBER)})
    return w


async def deliver(gate, w: World) -> list[object]:
    commands = [to_command(update, w) for update in w.outbox]
    w.outbox.clear()
    outcomes = [await gate.handle(command) for command in commands if command is not None]
    await gate.settle()
    return outcomes


async def write(gate, w: World, user: int) -> object:
    outcome = await gate.handle(c.GroupMessage(GROUP, 100 + user, Sender(USER, user), "text", "hello"))
    await gate.settle()
    w.outbox.clear()
    return outcome


async def subscribe_and_release(gate, w: World, user: int) -> None:
    w.join(CHANNEL, user)
    assert await deliver(gate, w) == [["passed"]]


@asynccontextmanager
async def running(w: World, telegram: CountingTelegram, backends: Backends) -> AsyncIterator[object]:
    application = bootstrap(Settings(event_store="memory"), clock=telegram.clock, gateway=telegram, backends=backends)
    gate = await application.start()
    try:
        yield gate
    finally:
        await gate.settle()
        await application.close()


async def protected(w: World, telegram: CountingTelegram, gate) -> None:
    await gate.handle(c.GroupMessage(GROUP, 1, Sender(USER, OWNER), "text", "/protect @news"))
    await gate.settle()
    await deliver(gate, w)


async def test_a_member_listed_at_protect_is_muted_without_a_read_and_keeps_the_admins_restriction() -> None:
    w = world()
    telegram = CountingTelegram(w, SimulatedClock())
    async with running(w, telegram, Backends(store=InMemoryEventStore())) as gate:
        await protected(w, telegram, gate)
        assert await write(gate, w, BOB) == "restricted"
        assert await write(gate, w, DAN) == "restricted"
        assert telegram.reads[GROUP] == 0  # neither was read: the directory listed Bob, and not Dan
        await subscribe_and_release(gate, w, BOB)
        await subscribe_and_release(gate, w, DAN)
    assert w.chat(GROUP).status_of(BOB) == Participant(sub.RESTRICTED, ADMIN_SET)  # the admin's layer is back
    assert w.chat(GROUP).status_of(DAN) == Participant(sub.MEMBER)


async def test_a_restriction_an_update_told_after_protect_is_kept_without_a_read() -> None:
    w = world()
    telegram = CountingTelegram(w, SimulatedClock())
    async with running(w, telegram, Backends(store=InMemoryEventStore())) as gate:
        await protected(w, telegram, gate)
        w.restrict_by(GROUP, EVE, OWNER, ADMIN_SET)
        await deliver(gate, w)
        assert await write(gate, w, EVE) == "restricted"
        assert telegram.reads[GROUP] == 0
        await subscribe_and_release(gate, w, EVE)
    assert w.chat(GROUP).status_of(EVE) == Participant(sub.RESTRICTED, ADMIN_SET)


async def test_without_a_directory_every_first_mute_reads_the_member() -> None:
    """The same run with no directory kept: the reads the directory saves are there (so the tests above can fail)."""
    w = world()
    telegram = CountingTelegram(w, SimulatedClock())
    async with running(w, telegram, Backends(store=InMemoryEventStore())) as gate:
        gate.ctx.standing = StandingDirectory(None, gate.ctx.gateway, gate.ctx.clock)
        await protected(w, telegram, gate)
        assert await write(gate, w, BOB) == "restricted"
        assert telegram.reads[GROUP] == 1


@asynccontextmanager
async def shared_store(kind: str) -> AsyncIterator[object]:
    if kind == "memory":
        yield InMemoryStandingStore()
        return
    async with redis_namespace() as (client, prefix):
        yield RedisStandingStore(client, prefix)


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_member_restricted_while_the_bot_was_down_is_read_not_assumed(kind: str) -> None:
    """The directory outlives the process (Redis, or a store shared as Redis would be); changes made while no
    process listened were never noted, so the next process trusts it only once it is filled again."""
    w = world()
    telegram = CountingTelegram(w, SimulatedClock())
    async with shared_store(kind) as store:
        backends = Backends(store=InMemoryEventStore(), standing=store)
        async with running(w, telegram, backends) as gate:
            await protected(w, telegram, gate)
        w.restrict_by(GROUP, CAROL, OWNER, ADMIN_SET)
        w.outbox.clear()  # while the bot was down, and never caught up
        async with running(w, telegram, backends) as gate:
            assert await write(gate, w, CAROL) == "restricted"
            assert telegram.reads[GROUP] == 1  # read: the directory was in doubt after the start
            await subscribe_and_release(gate, w, CAROL)
            assert w.chat(GROUP).status_of(CAROL) == Participant(sub.RESTRICTED, ADMIN_SET)
            # The read found the directory in doubt, so it was filled again behind: the next member is not read.
            assert await write(gate, w, DAN) == "restricted"
            assert telegram.reads[GROUP] == 1


async def test_while_the_bot_lacks_its_rights_the_directory_is_doubted_and_listed_again_when_they_return() -> None:
    w = world()
    telegram = CountingTelegram(w, SimulatedClock())
    async with running(w, telegram, Backends(store=InMemoryEventStore())) as gate:
        await protected(w, telegram, gate)
        w.set_bot_admin(GROUP, False)
        await deliver(gate, w)
        w.restrict_by(GROUP, EVE, OWNER, ADMIN_SET)
        w.outbox.clear()  # not told (say, a gap while the bot was no admin)
        assert await gate.ctx.standing.known(GROUP, EVE) is None  # in doubt: Eve would be read
        listed = telegram.calls["get_participants"]
        w.set_bot_admin(GROUP, True)
        await deliver(gate, w)
        assert telegram.calls["get_participants"] == listed + 3  # Banned, Kicked, Admins again
        assert await gate.ctx.standing.known(GROUP, EVE) == ports.Participant(sub.RESTRICTED, ADMIN_SET)


class FailingNotes(InMemoryStandingStore):
    """A store whose writes of participant updates fail for a while, as Redis may."""

    failing = False

    async def note(self, chat_id: int, member_id: int, participant: ports.Participant | None) -> None:
        if self.failing:
            raise RedisUnavailable("no answer from Redis")
        await super().note(chat_id, member_id, participant)


async def test_a_change_the_directory_could_not_note_puts_it_in_doubt() -> None:
    w, store = world(), FailingNotes()
    telegram = CountingTelegram(w, SimulatedClock())
    async with running(w, telegram, Backends(store=InMemoryEventStore(), standing=store)) as gate:
        await protected(w, telegram, gate)
        store.failing = True
        w.restrict_by(GROUP, EVE, OWNER, ADMIN_SET)
        await deliver(gate, w)
        store.failing = False
        assert await write(gate, w, EVE) == "restricted"
        assert telegram.reads[GROUP] == 1  # read, not taken from a directory that missed her restriction
        await subscribe_and_release(gate, w, EVE)
    assert w.chat(GROUP).status_of(EVE) == Participant(sub.RESTRICTED, ADMIN_SET)


@pytest.mark.parametrize("lost", [GROUP, None])
async def test_updates_telegram_will_not_deliver_put_the_directory_in_doubt(lost: int | None) -> None:
    w = world()
    telegram = CountingTelegram(w, SimulatedClock())
    async with running(w, telegram, Backends(store=InMemoryEventStore())) as gate:
        await protected(w, telegram, gate)
        assert await gate.ctx.standing.known(GROUP, DAN) == ports.Participant(sub.MEMBER)
        _doubting(gate)(lost)  # as the update state calls it when a catch-up is answered "too long"
        await gate.settle()
        assert await gate.ctx.standing.known(GROUP, DAN) is None


async def test_a_leave_that_does_not_say_the_participant_keeps_what_the_directory_knows() -> None:
    """Telegram keeps a leaver's restrictions and puts them back when they rejoin: a leave that does not carry the
    participant (a service message) must not make the directory forget them."""
    w = world()
    telegram = CountingTelegram(w, SimulatedClock())
    async with running(w, telegram, Backends(store=InMemoryEventStore())) as gate:
        await protected(w, telegram, gate)
        w.leave(GROUP, BOB)
        w.join(GROUP, BOB)
        w.outbox.clear()
        await gate.handle(c.MemberLeft(GROUP, BOB))  # the rejoin went unseen (lossy in large groups)
        await gate.settle()
        assert await write(gate, w, BOB) == "restricted"
        assert telegram.reads[GROUP] == 0
        await subscribe_and_release(gate, w, BOB)
    assert w.chat(GROUP).status_of(BOB) == Participant(sub.RESTRICTED, ADMIN_SET)
